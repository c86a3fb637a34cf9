// Kubernetes Secrets as Flux's kustomize-controller decrypts them: a whole
// SOPS-encrypted manifest (a `sops` block with a MAC), or `data` / `stringData`
// entries whose content is a SOPS-encrypted file (secretGenerator output).
import { isCollection, parseAllDocuments, visit } from "yaml"
import { SopsError } from "./Errors.ts"
import { formatFromPath } from "./Config.ts"
import { fromJs, printJson, type JNode } from "./internal/JsonFormat.ts"
import type { Format } from "./internal/Tree.ts"
import { safeYamlMessage } from "./internal/YamlFormat.ts"
import { decrypt, decryptToValue, type CommonOptions } from "./Sops.ts"

/** The annotation that opts a resource out of decryption (value `Disabled`). */
export const DECRYPT_ANNOTATION = "kustomize.toolkit.fluxcd.io/decrypt"

// Substrings that only an encrypted file of each format holds (its MAC line).
const markers: ReadonlyArray<[Format, string]> = [
  ["dotenv", "sops_mac=ENC["],
  ["json", '"mac": "ENC['],
  ["yaml", "mac: ENC["],
]

/** The format of an encrypted file, guessed from its MAC line; undefined for anything else. */
export const detectEncryptedFormat = (text: string): Format | undefined => markers.find(([, m]) => text.includes(m))?.[0]

const yamlToJson = (yamlText: string): string => {
  const docs = parseAllDocuments(yamlText)
  if (!Array.isArray(docs) || docs.length !== 1) throw new SopsError("ParseError", "expected one YAML document")
  const toJ = (n: unknown): JNode => {
    if (n && typeof n === "object" && "items" in n && isCollection(n)) {
      const c = n as { items: unknown[] }
      if ((n as { constructor: { name: string } }).constructor.name === "YAMLMap")
        return { t: "obj", entries: (c.items as Array<{ key: { value?: unknown } | null; value: unknown }>).map((p) => [String(p.key?.value ?? ""), toJ(p.value)]) }
      return { t: "arr", items: c.items.map(toJ) }
    }
    return fromJs((n as { value?: unknown } | null)?.value ?? null)
  }
  return `${printJson(toJ(docs[0]!.contents), "\t")}\n`
}

const jsonToYaml = (jsonText: string): string => {
  const docs = parseAllDocuments(jsonText)
  const d = Array.isArray(docs) ? docs[0] : undefined
  if (!d) throw new SopsError("ParseError", "expected a JSON document")
  visit(d, {
    Collection: (_, c) => {
      c.flow = false
    },
    Scalar: (_, s) => {
      delete s.type
    },
  })
  return d.toString({ lineWidth: 0 })
}

/**
 * Decrypts a file given in one format and prints it in another, as Flux does
 * for Secret entries: the output format of a `data` key comes from its name
 * (binary unwraps the `data` value of the envelope).
 */
export const decryptAs = async (
  text: string,
  inFormat: Format,
  outFormat: Format,
  identities: ReadonlyArray<string>,
  options: CommonOptions = {},
): Promise<string> => {
  if (inFormat === outFormat) return decrypt(text, inFormat, identities, options)
  if (outFormat === "binary" && (inFormat === "json" || inFormat === "yaml")) {
    const json = inFormat === "json" ? text : yamlToJson(text)
    return decrypt(json, "binary", identities, options)
  }
  const plain = await decrypt(text, inFormat, identities, options)
  if (inFormat === "yaml" && outFormat === "json") return yamlToJson(plain)
  if (inFormat === "json" && outFormat === "yaml") return jsonToYaml(plain)
  throw new SopsError("InvalidInput", `${options.file ? `${options.file}: ` : ""}cannot print a decrypted ${inFormat} file as ${outFormat}`)
}

type Obj = Record<string, unknown>

/** What `decryptSecretManifest` did. */
export type DecryptedManifest = { readonly object: Obj; readonly decrypted: boolean }

// "Secret ns/name" from the text of a manifest, for error messages, without parsing it
const quickName = (text: string): string => {
  const kind = /^kind:\s*(\S+)/m.exec(text)?.[1] ?? "object"
  const name = /^metadata:\n(?:[ \t]+.*\n)*?[ \t]+name:\s*(\S+)/m.exec(text)?.[1] ?? ""
  const ns = /^metadata:\n(?:[ \t]+.*\n)*?[ \t]+namespace:\s*(\S+)/m.exec(text)?.[1]
  return `${kind} ${ns ? `${ns}/` : ""}${name}`
}

const nameOf = (o: Obj): string => {
  const md = (o["metadata"] ?? {}) as Obj
  return `${o["kind"] ?? "object"} ${md["namespace"] ? `${String(md["namespace"])}/` : ""}${String(md["name"] ?? "")}`
}

/** True when decryption is switched off by the `kustomize.toolkit.fluxcd.io/decrypt: Disabled` annotation. */
export const isDecryptionDisabled = (o: Obj): boolean => {
  const a = ((o["metadata"] as Obj | undefined)?.["annotations"] ?? {}) as Obj
  return String(a[DECRYPT_ANNOTATION] ?? "").toLowerCase() === "disabled"
}

const hasSopsMac = (o: Obj): boolean => {
  const s = o["sops"]
  return typeof s === "object" && s !== null && typeof (s as Obj)["mac"] === "string" && (s as Obj)["mac"] !== ""
}

/**
 * Decrypts one manifest as Flux's kustomize-controller does. `manifest` is the
 * YAML text of one document (preferred: keeps the key order the MAC was
 * computed in) or a plain object. Objects that are neither SOPS-encrypted nor
 * Secrets with encrypted entries come back unchanged with `decrypted: false`.
 */
export const decryptSecretManifest = async (
  manifest: string | Obj,
  identities: ReadonlyArray<string>,
  options: Pick<CommonOptions, "cache"> = {},
): Promise<DecryptedManifest> => {
  const cache = options.cache
  let obj: Obj
  let yamlText: string | undefined
  if (typeof manifest === "string") {
    yamlText = manifest
    // fast path: an encrypted manifest without the opt-out annotation is parsed once, by the decryption
    if (manifest.includes("mac:") && !manifest.includes(DECRYPT_ANNOTATION)) {
      const parsed = quickName(manifest)
      return { object: (await decryptToValue(manifest, "yaml", identities, { file: parsed, cache })) as Obj, decrypted: true }
    }
    const docs = parseAllDocuments(manifest)
    const d = Array.isArray(docs) ? docs[0] : undefined
    const e = d?.errors[0]
    if (e) throw new SopsError("ParseError", `invalid YAML at line ${e.linePos?.[0].line ?? "?"}: ${safeYamlMessage(e.message)}`, e.linePos ? { line: e.linePos[0].line } : {})
    obj = (d?.toJS() ?? {}) as Obj
  } else obj = manifest
  if (isDecryptionDisabled(obj)) return { object: obj, decrypted: false }
  const file = nameOf(obj)
  if (hasSopsMac(obj)) {
    const parsed =
      yamlText !== undefined
        ? await decryptToValue(yamlText, "yaml", identities, { file, cache })
        : await decryptToValue(`${printJson(fromJs(obj), "\t")}\n`, "json", identities, { file, cache })
    return { object: parsed as Obj, decrypted: true }
  }
  if (obj["kind"] !== "Secret") return { object: obj, decrypted: false }
  let decrypted = false
  const result: Obj = { ...obj }
  for (const field of ["data", "stringData"] as const) {
    const entries = obj[field]
    if (typeof entries !== "object" || entries === null) continue
    const out: Obj = { ...(entries as Obj) }
    for (const [key, value] of Object.entries(entries as Obj)) {
      if (typeof value !== "string") continue
      const content = field === "data" ? Buffer.from(value, "base64").toString("utf8") : value
      const inF = detectEncryptedFormat(content)
      if (!inF) continue
      const outF: Format = key.endsWith(".dockerconfigjson") ? "json" : formatFromPath(key)
      const plain = await decryptAs(content, inF, outF, identities, { file: `${file} ${field}.${key}`, cache })
      out[key] = field === "data" ? Buffer.from(plain, "utf8").toString("base64") : plain
      decrypted = true
    }
    result[field] = out
  }
  return { object: result, decrypted }
}

/** Where Flux looks for the age key of a Kustomization without secretRef. */
export const DEFAULT_AGE_SECRET = { namespace: "flux-system", name: "sops-age" } as const

/**
 * The age identities held by a decryption Secret (`spec.decryption.secretRef`):
 * the values of its keys ending in `.agekey`, from `data` (base64) or `stringData`.
 * Errors name the Secret and its keys, never their values.
 */
export const ageIdentitiesFromSecret = (secret: Obj): string[] => {
  const out: string[] = []
  const keys: string[] = []
  for (const field of ["data", "stringData"] as const) {
    const entries = secret[field]
    if (typeof entries !== "object" || entries === null) continue
    for (const [k, v] of Object.entries(entries as Obj)) {
      keys.push(k)
      if (!k.endsWith(".agekey") || typeof v !== "string") continue
      out.push(field === "data" ? Buffer.from(v, "base64").toString("utf8") : v)
    }
  }
  if (!out.some((t) => /AGE-SECRET-KEY-/.test(t))) {
    throw new SopsError(
      "InvalidInput",
      `${nameOf(secret)}: no age identity in keys ending in .agekey (keys: ${keys.length ? keys.join(", ") : "none"})`,
    )
  }
  return out
}

/** The Secret `moor secret age-keygen --apply` stores: the key file under `<cluster or age>.agekey`. */
export const ageKeySecret = (
  keyFile: string,
  o: { readonly namespace?: string; readonly name?: string; readonly key?: string } = {},
): Obj => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: o.name ?? DEFAULT_AGE_SECRET.name, namespace: o.namespace ?? DEFAULT_AGE_SECRET.namespace },
  type: "Opaque",
  data: { [o.key ?? "age.agekey"]: Buffer.from(keyFile, "utf8").toString("base64") },
})

const markerOf: Record<Format, string> = { dotenv: "sops_mac=ENC[", json: '"mac": "ENC[', binary: '"mac": "ENC[', yaml: "mac: ENC[" }

/**
 * Decrypts a file a kustomize secretGenerator reads, before the build, as Flux
 * does: `envs` entries as dotenv (or by extension), `files` entries by the
 * format of their key (`key=path`; binary unless .yaml/.json/.env). A file
 * that is not SOPS-encrypted comes back unchanged with `decrypted: false`.
 */
export const decryptGeneratorSource = async (
  source: { readonly kind: "env" | "file"; readonly key: string; readonly text: string; readonly file?: string },
  identities: ReadonlyArray<string>,
  options: Pick<CommonOptions, "cache"> = {},
): Promise<{ readonly text: string; readonly decrypted: boolean }> => {
  let format: Format = source.key.endsWith(".dockerconfigjson") ? "json" : formatFromPath(source.key)
  if (source.kind === "env" && format === "binary") format = "dotenv"
  if (!source.text.includes(markerOf[format])) return { text: source.text, decrypted: false }
  const text = await decrypt(source.text, format, identities, { file: source.file ?? source.key, cache: options.cache })
  return { text, decrypted: true }
}
