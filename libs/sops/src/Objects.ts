// The decryption step of the apply path: the objects of a build (made on the
// hub without keys) decrypted with the cluster's own age identities, as Flux's
// kustomize-controller decrypts a build:
// - any object carrying sops metadata with a MAC (a manifest encrypted whole,
//   usually a Secret with `encrypted_regex: ^(data|stringData)$`);
// - Secret `data` / `stringData` entries whose content is a SOPS file (what a
//   secretGenerator `files` entry makes of an encrypted YAML, JSON, dotenv or
//   binary file); the entry's key names the output format, as in Flux;
// - Secrets a secretGenerator `envs` entry made from an encrypted .env file:
//   the build split the encrypted file into `KEY=ENC[...]` pairs plus
//   `sops_*` metadata pairs; Flux decrypts that file before the build, so the
//   pairs are put back together, decrypted, and the Secret ends up with the
//   cleartext pairs and no `sops_*` keys, as Flux's would.
// `kustomize.toolkit.fluxcd.io/decrypt: Disabled` leaves an object as it is.
import { SopsError, type SopsErrorReason } from "./Errors.ts"
import { formatFromPath } from "./Config.ts"
import { DataKeyCache } from "./internal/Age.ts"
import { loadObject } from "./internal/ObjectFormat.ts"
import { decryptAs, detectEncryptedFormat, isDecryptionDisabled } from "./Secret.ts"
import { decrypt, openTree, openWithValues } from "./Sops.ts"
import { decryptValue, isEncValue } from "./internal/Cipher.ts"
import { aadOf, type Format } from "./internal/Tree.ts"
import { createSecretKey } from "node:crypto"

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * A SOPS-encrypted object of a build could not be decrypted. `reason` is the
 * condition reason of the apply (`DecryptionFailed`); `sopsReason` says why
 * (`NoMatchingIdentity`, `DecryptionFailed` for a tampered value or MAC,
 * `ParseError` for a malformed file, ...). The message names the object, the
 * file and the recipients, never a decrypted value.
 */
export class DecryptionError extends Error {
  readonly reason = "DecryptionFailed" as const
  /** `Kind/namespace/name` (`Kind/name` when cluster-scoped or without namespace). */
  readonly object: string
  /** the file the object came from (opts.source), or the Secret entry (`data.key`) holding the file. */
  readonly file: string | undefined
  /** age recipients (public keys) the file is encrypted for, when known. */
  readonly recipients: ReadonlyArray<string>
  readonly sopsReason: SopsErrorReason
  /** 1-based line of a parse error in the encrypted file, when known. */
  readonly line: number | undefined
  constructor(o: {
    object: string
    file?: string | undefined
    recipients: ReadonlyArray<string>
    sopsReason: SopsErrorReason
    line?: number | undefined
    detail: string
  }) {
    const recips = o.recipients.length > 0 && !o.detail.includes(o.recipients[0]!) ? ` (recipients: ${o.recipients.join(", ")})` : ""
    super(`${o.object}${o.file ? ` (${o.file})` : ""}: ${o.detail}${recips}`)
    this.name = "DecryptionError"
    this.object = o.object
    this.file = o.file
    this.recipients = o.recipients
    this.sopsReason = o.sopsReason
    this.line = o.line
  }
}

/** Options of `decryptObjects`. */
export type DecryptObjectsOptions = {
  /** the file an object came from (its path in the source), for error messages. */
  readonly source?: ((o: Record<string, unknown>) => string | undefined) | undefined
  /**
   * the YAML text of a SOPS manifest's source document (the encrypted file's
   * document, before the build). Read only when the object alone cannot be
   * verified: its maps have integer-like keys (JS objects move those first,
   * out of the MAC's order), or its MAC mismatches because the build changed
   * a field (targetNamespace, commonMetadata, name affixes, a patch). The MAC
   * is then verified over the document, and the object's encrypted values,
   * each required to be one of the document's at the same path, are
   * decrypted in place: the build's changes are kept. Several documents for
   * an object that encrypted patch files were merged into (Flux decrypts
   * patches before its build): each value is opened with its own file's key.
   * Every other object is decrypted as it is, without parsing again.
   */
  readonly text?: ((o: Record<string, unknown>) => string | ReadonlyArray<string> | undefined) | undefined
  /**
   * remembers unwrapped data keys across calls, by wrapped key and identity
   * set (another identity set never gets a hit); default: one shared by the
   * process, so an unchanged revision decrypted again skips every key agreement.
   */
  readonly cache?: DataKeyCache | undefined
}

// the default data key cache of decryptObjects (bounded, LRU-ish)
const sharedCache = new DataKeyCache(20_000)

/** `Kind/namespace/name` of an object, as errors name it. */
export const objectRef = (o: Obj): string => {
  const md = isObj(o["metadata"]) ? o["metadata"] : {}
  const ns = typeof md["namespace"] === "string" && md["namespace"] !== "" ? `${md["namespace"]}/` : ""
  return `${typeof o["kind"] === "string" ? o["kind"] : "object"}/${ns}${String(md["name"] ?? "")}`
}

const hasSopsMac = (o: Obj): boolean => {
  const s = o["sops"]
  return isObj(s) && typeof s["mac"] === "string" && s["mac"] !== ""
}

const ENC_PREFIX = "ENC[AES256_GCM,"

const fromBase64 = (v: string): string | undefined => {
  // Buffer.from never throws on bad base64; a value that does not round trip is not ours
  const b = Buffer.from(v, "base64")
  return b.length === 0 && v.length > 0 ? undefined : b.toString("utf8")
}

// A Secret made by a secretGenerator `envs` entry from an encrypted .env file.
const isEnvGenerated = (data: Obj): boolean => {
  const mac = data["sops_mac"]
  return typeof mac === "string" && typeof data["sops_lastmodified"] === "string" && (fromBase64(mac) ?? "").startsWith(ENC_PREFIX)
}

const entryFormat = (content: string): Format | undefined => (content.length > 64 ? detectEncryptedFormat(content) : undefined)

/**
 * True when the object holds SOPS-encrypted content `decryptObjects` decrypts
 * (sops metadata, or Secret entries holding SOPS files); the opt-out
 * annotation is not looked at.
 */
export const isSopsEncrypted = (o: unknown): boolean => {
  if (!isObj(o)) return false
  if (hasSopsMac(o)) return true
  if (o["kind"] !== "Secret") return false
  const data = o["data"]
  if (isObj(data)) {
    if (isEnvGenerated(data)) return true
    for (const v of Object.values(data)) if (typeof v === "string" && entryFormat(fromBase64(v) ?? "")) return true
  }
  const sd = o["stringData"]
  if (isObj(sd)) for (const v of Object.values(sd)) if (typeof v === "string" && entryFormat(v)) return true
  return false
}

// Best effort, for messages about files that do not even parse: the recipients written in the text.
const recipientsInText = (text: string): string[] => [...new Set([...text.matchAll(/recipient["'=:\s]+(age1[0-9a-z]+)/g)].map((m) => m[1]!))]

const recipientsInMetadata = (o: Obj): string[] => {
  const s = o["sops"]
  if (!isObj(s)) return []
  const out: string[] = []
  const read = (l: unknown) => {
    if (Array.isArray(l)) for (const e of l) if (isObj(e) && typeof e["recipient"] === "string") out.push(e["recipient"])
  }
  read(s["age"])
  if (Array.isArray(s["key_groups"])) for (const g of s["key_groups"]) if (isObj(g)) read(g["age"])
  return [...new Set(out)]
}

type Ctx = {
  readonly object: string
  readonly file: string | undefined
  readonly cache: DataKeyCache | undefined
  readonly text: ((o: Obj) => string | ReadonlyArray<string> | undefined) | undefined
}

const fail = (ctx: Ctx, e: unknown, recipients: () => string[], entry?: string): DecryptionError => {
  const file = entry ? (ctx.file ? `${ctx.file}, ${entry}` : entry) : ctx.file
  if (e instanceof SopsError) {
    return new DecryptionError({
      object: ctx.object,
      file,
      recipients: e.recipients.length > 0 ? e.recipients : recipients(),
      sopsReason: e.reason,
      line: e.line,
      detail: e.message,
    })
  }
  // a foreign error may quote a value: keep only its kind
  return new DecryptionError({
    object: ctx.object,
    file,
    recipients: recipients(),
    sopsReason: "DecryptionFailed",
    detail: `decryption failed (${e instanceof Error ? e.name : "error"})`,
  })
}

// Keys a JS object keeps first whatever their place in the file (array indexes).
const indexKey = /^(?:0|[1-9]\d{0,9})$/
const hasIndexKeys = (v: unknown): boolean => {
  if (Array.isArray(v)) return v.some(hasIndexKeys)
  if (!isObj(v)) return false
  for (const [k, x] of Object.entries(v)) {
    if (indexKey.test(k) && Number(k) < 4294967295) return true
    if (typeof x === "object" && x !== null && hasIndexKeys(x)) return true
  }
  return false
}

// A value or the MAC did not authenticate: the object alone may not be what was encrypted.
const isMismatch = (e: unknown): boolean => e instanceof SopsError && e.reason === "DecryptionFailed"

// The object as built, its encrypted values opened with the data keys of its
// source documents, each document's MAC verified in the file's own order.
// Every encrypted value of the object must be one of a document's, at the same
// path; cleartext fields may differ (the build's namespace, labels, name
// affixes, patches). Several documents: encrypted patch files merged into it.
const decryptFromSources = async (o: Obj, texts: ReadonlyArray<string>, identities: ReadonlyArray<string>, ctx: Ctx): Promise<Obj> => {
  const docs = await Promise.all(texts.map((t) => openWithValues(t, "yaml", identities, { cache: ctx.cache })))
  const keys = docs.map((d) => createSecretKey(d.dataKey))
  const built = loadObject(o)
  for (const l of built.leaves) {
    if (l.value.type !== "str" || !isEncValue(l.value.text)) continue
    const aad = aadOf(l.path)
    const at = docs.findIndex((d) => d.encrypted.has(`${aad}\0${l.value.text}`))
    const p = at >= 0 ? decryptValue(l.value.text, keys[at]!, aad) : undefined
    if (!p) {
      const recipients = [...new Set(docs.flatMap((d) => d.md.age.map((e) => e.recipient)))]
      throw new SopsError("DecryptionFailed", `value at ${l.path.join(".")} is not one of the encrypted values of its source document`, { recipients })
    }
    l.set(p)
  }
  return built.toValue!() as Obj
}

const textsOf = (ctx: Ctx, o: Obj): ReadonlyArray<string> | undefined => {
  const t = ctx.text?.(o)
  return t === undefined ? undefined : typeof t === "string" ? [t] : t.length > 0 ? t : undefined
}

const decryptWhole = async (o: Obj, identities: ReadonlyArray<string>, ctx: Ctx): Promise<Obj> => {
  let text: ReadonlyArray<string> | undefined
  try {
    // integer-like keys: the object lost the MAC's order, the document has it
    if (ctx.text && hasIndexKeys({ ...o, sops: undefined })) text = textsOf(ctx, o)
    if (text === undefined) {
      try {
        return (await openTree(loadObject(o), identities, { cache: ctx.cache })).tree.toValue!() as Obj
      } catch (e) {
        // the build may have changed a field the MAC covers: verify against the source documents
        text = isMismatch(e) ? textsOf(ctx, o) : undefined
        if (text === undefined) throw e
      }
    }
    return await decryptFromSources(o, text, identities, ctx)
  } catch (e) {
    const err = fail(ctx, e, () => recipientsInMetadata(o))
    if (text !== undefined || !(e instanceof SopsError && e.message.includes("MAC mismatch")) || (isObj(o["sops"]) && o["sops"]["mac_only_encrypted"] === true)) throw err
    // the build may be the one that changed a field: say so, and how to make the MAC immune to it
    throw new DecryptionError({
      object: err.object,
      file: err.file,
      recipients: err.recipients,
      sopsReason: err.sopsReason,
      detail: `${e.message}, or the build changed a field the MAC covers (targetNamespace, namePrefix/Suffix, commonMetadata, a patch); encrypt it with mac_only_encrypted: true to let the build change unencrypted fields`,
    })
  }
}

const decryptEntry = async (key: string, content: string, inF: Format, identities: ReadonlyArray<string>, ctx: Ctx, entry: string): Promise<string> => {
  const outF: Format = key.endsWith(".dockerconfigjson") ? "json" : formatFromPath(key)
  try {
    return await decryptAs(content, inF, outF, identities, { cache: ctx.cache })
  } catch (e) {
    throw fail(ctx, e, () => recipientsInText(content), entry)
  }
}

// KEY=VALUE lines as the build's envs generator reads them (values verbatim, comments skipped).
const envPairs = (text: string): Array<[string, string]> => {
  const out: Array<[string, string]> = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, "")
    if (line === "" || line.startsWith("#")) continue
    const i = line.indexOf("=")
    if (i > 0) out.push([line.slice(0, i), line.slice(i + 1)])
  }
  return out
}

// How a map holds its entries: Secret `data` in base64, `stringData` and ConfigMap `data` as text.
type Codec = { readonly decode: (v: string) => string; readonly encode: (v: string) => string }
const base64: Codec = { decode: (v) => fromBase64(v) ?? "", encode: (v) => Buffer.from(v, "utf8").toString("base64") }
const plain: Codec = { decode: (v) => v, encode: (v) => v }

// The MAC line of a SOPS file's content (unique per encrypted file), or of a map made from an .env.
const macOf = (content: string): string | undefined => /(?:mac: |"mac": "|sops_mac=)(ENC\[[^\]]*\])/.exec(content)?.[1]

/**
 * Decrypts the entries of one map holding SOPS content: entries that are
 * whole SOPS files (format from the content, output format from the key, as
 * Flux), and the pairs an `envs` generator made of an encrypted .env file.
 * `allow` filters by the file's MAC (ConfigMaps: only files a Secret of the
 * build shares). Undefined when nothing was decrypted.
 */
const decryptMap = async (
  data: Obj,
  codec: Codec,
  field: string,
  identities: ReadonlyArray<string>,
  ctx: Ctx,
  allow: (mac: string | undefined) => boolean = () => true,
): Promise<Obj | undefined> => {
  const decoded = new Map<string, string>()
  for (const [k, v] of Object.entries(data)) if (typeof v === "string") decoded.set(k, codec.decode(v))
  const files = new Map<string, string>()
  for (const [k, content] of decoded) {
    const inF = entryFormat(content)
    if (inF && allow(macOf(content))) files.set(k, await decryptEntry(k, content, inF, identities, ctx, `${field}.${k}`))
  }
  let env: Map<string, string> | undefined
  const envMac = decoded.get("sops_mac")
  if (envMac?.startsWith(ENC_PREFIX) && decoded.has("sops_lastmodified") && allow(envMac)) {
    // The .env file's pairs, in the build's order (the MAC's order). The same
    // generator may put literals and plain files before them (the build adds
    // literals, then files, then envs): first only the pairs the file
    // encrypted (and its *_unencrypted ones), then the run of pairs ending
    // with the file's, grown backwards over cleartext pairs the MAC may cover
    // (encrypted_regex leaves some in clear). A MAC that matches proves the
    // exact sequence of the file's values.
    const suffix = decoded.get("sops_unencrypted_suffix") ?? "_unencrypted"
    const pairs = [...decoded].filter(([k]) => !files.has(k))
    const render = (ps: ReadonlyArray<[string, string]>) => ps.map(([k, v]) => `${k}=${v}\n`).join("")
    const candidates = [render(pairs.filter(([k, v]) => k.startsWith("sops_") || v.startsWith(ENC_PREFIX) || k.endsWith(suffix)))]
    const firstEnc = pairs.findIndex(([k, v]) => k.startsWith("sops_") || v.startsWith(ENC_PREFIX))
    for (let i = firstEnc; i >= 0 && candidates.length < 64 && !pairs[i]![1].includes("\n"); i--) candidates.push(render(pairs.slice(i)))
    const texts = [...new Set(candidates)]
    let first: unknown
    for (const text of texts) {
      try {
        env = new Map(envPairs(await decrypt(text, "dotenv", identities, { cache: ctx.cache })))
        break
      } catch (e) {
        first ??= e
        // only a MAC or value mismatch depends on which pairs were taken
        if (!(e instanceof SopsError && e.reason === "DecryptionFailed")) break
      }
    }
    if (!env) throw fail(ctx, first, () => recipientsInText(texts[0]!), "the .env file of its generator")
  }
  if (files.size === 0 && !env) return undefined
  const out: Obj = {}
  for (const [k, v] of Object.entries(data)) {
    const f = files.get(k)
    if (f !== undefined) out[k] = codec.encode(f)
    else if (env && k.startsWith("sops_")) continue
    else if (env?.has(k)) out[k] = codec.encode(env.get(k)!)
    else out[k] = v
  }
  return out
}

const decryptSecret = async (o: Obj, identities: ReadonlyArray<string>, ctx: Ctx): Promise<Obj> => {
  const data = isObj(o["data"]) ? await decryptMap(o["data"], base64, "data", identities, ctx) : undefined
  const sd = isObj(o["stringData"]) ? await decryptMap(o["stringData"], plain, "stringData", identities, ctx) : undefined
  if (!data && !sd) return o
  return { ...o, ...(data ? { data } : {}), ...(sd ? { stringData: sd } : {}) }
}

// Flux decrypts the files a secretGenerator reads in place before its build, so
// a configMapGenerator reading the same file gets it in clear too (Flux's own
// tests expect it). The build here ran without keys: a ConfigMap entry holding
// SOPS content is decrypted when a Secret of the same build holds that file.
const decryptConfigMap = async (o: Obj, identities: ReadonlyArray<string>, ctx: Ctx, shared: ReadonlySet<string>): Promise<Obj> => {
  if (!isObj(o["data"]) || shared.size === 0) return o
  const data = await decryptMap(o["data"], plain, "data", identities, ctx, (mac) => mac !== undefined && shared.has(mac))
  return data ? { ...o, data } : o
}

// The MACs of the SOPS files the build's Secrets hold.
const secretFileMacs = (objects: ReadonlyArray<unknown>): Set<string> => {
  const out = new Set<string>()
  for (const o of objects) {
    if (!isObj(o) || o["kind"] !== "Secret" || isDecryptionDisabled(o) || !isObj(o["data"])) continue
    for (const [k, v] of Object.entries(o["data"])) {
      if (typeof v !== "string" || v.length < 64) continue
      const content = fromBase64(v) ?? ""
      const mac = k === "sops_mac" ? content : macOf(content)
      if (mac?.startsWith(ENC_PREFIX)) out.add(mac)
    }
  }
  return out
}

const decryptOne = async (o: unknown, identities: ReadonlyArray<string>, opts: DecryptObjectsOptions, shared: ReadonlySet<string>): Promise<unknown> => {
  if (!isObj(o) || isDecryptionDisabled(o)) return o
  const whole = hasSopsMac(o)
  if (!whole && o["kind"] === "ConfigMap" && shared.size > 0) {
    return decryptConfigMap(o, identities, { object: objectRef(o), file: opts.source?.(o), cache: opts.cache, text: opts.text }, shared)
  }
  if (!whole && o["kind"] !== "Secret") return o
  const ctx: Ctx = { object: objectRef(o), file: opts.source?.(o), cache: opts.cache, text: opts.text }
  // a whole-encrypted Secret whose entries hold SOPS files (sops over a generated Secret) gets both steps
  const first = whole ? await decryptWhole(o, identities, ctx) : o
  return first["kind"] === "Secret" ? decryptSecret(first, identities, ctx) : first
}

/**
 * Decrypts every SOPS-encrypted object of a build with age `identities`
 * (`AGE-SECRET-KEY-...` lines or whole key files). Returns a new array in the
 * same order; objects with nothing to decrypt (and those annotated
 * `kustomize.toolkit.fluxcd.io/decrypt: Disabled`) are the same references.
 * Objects are decrypted concurrently; the first failure in object order is
 * thrown as a `DecryptionError`, so a build with one bad Secret applies nothing.
 *
 * MAC: values are authenticated one by one and the file's MAC is checked over
 * the object as it arrives. A build that changed a field the MAC covers
 * (targetNamespace, namePrefix, commonMetadata or a patch on an encrypted
 * manifest) fails the check unless the file was encrypted with
 * `mac_only_encrypted: true`, which makes the MAC cover encrypted values only.
 */
export async function decryptObjects(
  objects: readonly Record<string, unknown>[],
  identities: readonly string[],
  opts: DecryptObjectsOptions = {},
): Promise<Record<string, unknown>[]> {
  const o = { ...opts, cache: opts.cache ?? sharedCache }
  const shared = secretFileMacs(objects)
  const settled = await Promise.allSettled(objects.map((x) => decryptOne(x, identities, o, shared)))
  const out: Record<string, unknown>[] = []
  for (const s of settled) {
    if (s.status === "rejected") throw s.reason
    out.push(s.value as Record<string, unknown>)
  }
  return out
}
