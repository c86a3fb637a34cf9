// Decrypt, encrypt and re-key SOPS files for age recipients. Pure functions
// over text: no file or network I/O.
import { createHash, createSecretKey, randomBytes } from "node:crypto"
import { SopsError } from "./Errors.ts"
import { wrapDataKey, unwrapDataKey, checkRecipient, type DataKeyCache } from "./internal/Age.ts"
import { decryptValue, encryptValue, isEncValue, macBytes, type Plain } from "./internal/Cipher.ts"
import { loadEncrypted, loadPlain } from "./internal/Formats.ts"
import {
  DEFAULT_UNENCRYPTED_SUFFIX,
  encryptionPredicate,
  FORMAT_VERSION,
  macAad,
  metadataFromObject,
  metadataToObject,
  nowRfc3339,
  type EncryptionRules,
  type Metadata,
} from "./internal/Metadata.ts"
import { aadOf, type Format, type Tree } from "./internal/Tree.ts"

export type { Format } from "./internal/Tree.ts"
export type { EncryptionRules } from "./internal/Metadata.ts"

// sha256("sops"): seeds the MAC when mac_only_encrypted is set, so the two MAC kinds never collide.
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from("8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69", "hex")

/** Options shared by all operations. */
export type CommonOptions = {
  /** the file's name, used in error messages. */
  readonly file?: string | undefined
  /** JSON/binary indentation when printing; sops's default is a tab. */
  readonly jsonIndent?: string | undefined
  /** remembers unwrapped data keys across calls (see DataKeyCache). */
  readonly cache?: DataKeyCache | undefined
}

const where = (o: CommonOptions) => (o.file ? `${o.file}: ` : "")

const wrap = <A>(o: CommonOptions, f: () => A): A => {
  try {
    return f()
  } catch (e) {
    if (e instanceof SopsError && o.file && !e.message.startsWith(o.file)) {
      throw new SopsError(e.reason, `${o.file}: ${e.message}`, { recipients: e.recipients, ...(e.line !== undefined ? { line: e.line } : {}) })
    }
    if (e instanceof SopsError) throw e
    // a foreign error may quote the document (and so a value): keep only its kind
    throw new SopsError("ParseError", `${where(o)}the file could not be processed (${e instanceof Error ? e.name : "error"})`)
  }
}

type Opened = { tree: Tree; md: Metadata; dataKey: Uint8Array }

const readMetadata = (tree: Tree, o: CommonOptions): Metadata => {
  if (tree.metadata === undefined) throw new SopsError("NotEncrypted", `${where(o)}sops metadata not found: the file is not encrypted`)
  return wrap(o, () => metadataFromObject(tree.metadata))
}

// Unwraps the data key, decrypts every value in place and checks the MAC.
const open = async (text: string, format: Format, identities: ReadonlyArray<string>, o: CommonOptions): Promise<Opened> =>
  openTree(wrap(o, () => loadEncrypted(text, format, o)), identities, o)

/**
 * @internal Opens a file (values and MAC checked) and returns, besides, the
 * encrypted values it held, as `additional data + "\0" + ENC[...]`.
 */
export const openWithValues = async (
  text: string,
  format: Format,
  identities: ReadonlyArray<string>,
  o: CommonOptions,
): Promise<Opened & { encrypted: ReadonlySet<string> }> => {
  const tree = wrap(o, () => loadEncrypted(text, format, o))
  const encrypted = new Set<string>()
  for (const l of tree.leaves) if (!l.comment && l.value.type === "str" && isEncValue(l.value.text)) encrypted.add(`${aadOf(l.path)}\0${l.value.text}`)
  return { ...(await openTree(tree, identities, o)), encrypted }
}

/** @internal Decrypts a loaded tree in place (values and MAC checked); for parsed objects. */
export const openTree = async (tree: Tree, identities: ReadonlyArray<string>, o: CommonOptions): Promise<Opened> => {
  const md = readMetadata(tree, o)
  const recipients = md.age.map((e) => e.recipient)
  if (md.age.length === 0) {
    const kinds = md.otherKeys.length ? md.otherKeys.join(", ") : "no master key"
    throw new SopsError("UnsupportedKeyType", `${where(o)}the data key is wrapped for ${kinds} only; moor decrypts files with age recipients`)
  }
  const dataKey = await unwrapDataKey(md.age, identities, o.cache)
  if (!dataKey) {
    throw new SopsError(
      "NoMatchingIdentity",
      `${where(o)}no age identity given matches the file's recipients: ${recipients.join(", ")}` +
        (identities.length === 0 ? " (no identities were given)" : ""),
      { recipients },
    )
  }
  const fail = (msg: string) => new SopsError("DecryptionFailed", `${where(o)}${msg}`, { recipients })
  const valueKey = createSecretKey(dataKey)
  const shouldEncrypt = wrap(o, () => encryptionPredicate(md))
  const hash = createHash("sha512")
  if (md.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT)
  for (const leaf of tree.leaves) {
    const enc = shouldEncrypt(leaf.path)
    if (leaf.comment) {
      // comments are outside the MAC; one that does not open stays as it is, as in sops
      if (enc && isEncValue(leaf.value.text)) {
        const p = decryptValue(leaf.value.text, valueKey, aadOf(leaf.path)) ?? decryptValue(leaf.value.text, valueKey, aadOf(leaf.path.slice(0, -1)))
        if (p) leaf.set(p)
      }
      continue
    }
    let p: Plain = leaf.value
    if (enc && !(leaf.value.type === "str" && leaf.value.text === "")) {
      if (leaf.value.type !== "str" || !isEncValue(leaf.value.text)) throw fail(`value at ${leaf.path.join(".")} should be encrypted but is not`)
      const d = decryptValue(leaf.value.text, valueKey, aadOf(leaf.path))
      if (!d) throw fail(`value at ${leaf.path.join(".")} failed to decrypt: it was modified or moved (DecryptionFailed)`)
      p = d
      leaf.set(p)
    }
    if (!md.macOnlyEncrypted || enc) hash.update(macBytes(p), "utf8")
  }
  const stored = decryptValue(md.mac, valueKey, wrap(o, () => macAad(md.lastModified)))
  if (!stored) throw fail("the MAC failed to decrypt: sops.mac or sops.lastmodified was modified")
  const computed = hash.digest("hex").toUpperCase()
  if (stored.text !== computed) throw fail("MAC mismatch: the file was modified after it was encrypted")
  return { tree, md, dataKey }
}

/** Decrypts a SOPS file (text) with age identities (`AGE-SECRET-KEY-...` lines or identity files); returns the cleartext file. */
export const decrypt = async (
  text: string,
  format: Format,
  identities: ReadonlyArray<string>,
  options: CommonOptions = {},
): Promise<string> => {
  const { tree } = await open(text, format, identities, options)
  return wrap(options, () => tree.emit(undefined))
}

/** Decrypts like `decrypt` but returns the first document as plain data (for manifests). */
export const decryptToValue = async (
  text: string,
  format: "yaml" | "json",
  identities: ReadonlyArray<string>,
  options: CommonOptions = {},
): Promise<unknown> => {
  const { tree } = await open(text, format, identities, options)
  return tree.toValue!()
}

/** True when the text parses in `format` and carries sops metadata (a `sops` key / `sops_` entries). */
export const isEncrypted = (text: string, format: Format): boolean => {
  try {
    const t = loadEncrypted(text, format)
    return typeof t.metadata === "object" && t.metadata !== null && "mac" in (t.metadata as object)
  } catch {
    return false
  }
}

/** How `encrypt` chooses values and stamps the file. */
export type EncryptOptions = CommonOptions &
  EncryptionRules & {
    /** lastmodified to write (RFC 3339, UTC); default now. */
    readonly lastModified?: string | undefined
  }

/** The age recipients the data key of an encrypted file is wrapped for. */
export const recipientsOf = (text: string, format: Format, options: CommonOptions = {}): string[] => {
  const tree = wrap(options, () => loadEncrypted(text, format, options))
  return readMetadata(tree, options).age.map((e) => e.recipient)
}

/** Encrypts a cleartext file to one or more age recipients with a fresh data key. */
export const encrypt = async (
  text: string,
  format: Format,
  recipients: ReadonlyArray<string>,
  options: EncryptOptions = {},
): Promise<string> => {
  if (recipients.length === 0) throw new SopsError("InvalidInput", `${where(options)}no age recipients to encrypt for`)
  recipients.forEach(checkRecipient)
  const tree = wrap(options, () => loadPlain(text, format, options))
  if (tree.metadata !== undefined) throw new SopsError("AlreadyEncrypted", `${where(options)}the file is already encrypted (it has sops metadata)`)
  const anyRule = options.unencryptedSuffix || options.encryptedSuffix || options.unencryptedRegex || options.encryptedRegex
  const rules: EncryptionRules = {
    unencryptedSuffix: anyRule ? options.unencryptedSuffix : DEFAULT_UNENCRYPTED_SUFFIX,
    encryptedSuffix: options.encryptedSuffix,
    unencryptedRegex: options.unencryptedRegex,
    encryptedRegex: options.encryptedRegex,
    macOnlyEncrypted: options.macOnlyEncrypted === true,
  }
  const shouldEncrypt = wrap(options, () => encryptionPredicate(rules))
  const dataKey = randomBytes(32)
  const valueKey = createSecretKey(dataKey)
  const hash = createHash("sha512")
  if (rules.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT)
  for (const leaf of tree.leaves) {
    const enc = shouldEncrypt(leaf.path)
    if (leaf.comment) {
      if (enc && leaf.value.text !== "") leaf.set({ enc: encryptValue(leaf.value, valueKey, aadOf(leaf.path)) })
      continue
    }
    if (!rules.macOnlyEncrypted || enc) hash.update(macBytes(leaf.value), "utf8")
    if (enc) leaf.set({ enc: encryptValue(leaf.value, valueKey, aadOf(leaf.path)) })
  }
  const lastModified = options.lastModified ?? nowRfc3339()
  const mac = encryptValue({ type: "str", text: hash.digest("hex").toUpperCase() }, valueKey, macAad(lastModified))
  const age = []
  for (const r of recipients) age.push({ recipient: r, enc: await wrapDataKey(dataKey, r) })
  const md: Metadata = { ...rules, age, otherKeys: [], lastModified, mac, version: FORMAT_VERSION }
  return wrap(options, () => tree.emit(metadataToObject(md)))
}

/**
 * Adds age recipients to an encrypted file: verifies it (data key and MAC)
 * with `identities`, then wraps the same data key for each new recipient.
 * Values, MAC and lastmodified are untouched; recipients already present are skipped.
 */
export const rotate = async (
  text: string,
  format: Format,
  identities: ReadonlyArray<string>,
  addRecipients: ReadonlyArray<string>,
  options: CommonOptions & { readonly removeRecipients?: ReadonlyArray<string> | undefined } = {},
): Promise<string> => {
  addRecipients.forEach(checkRecipient)
  const { md, dataKey } = await open(text, format, identities, options)
  const remove = new Set(options.removeRecipients ?? [])
  const age = md.age.filter((e) => !remove.has(e.recipient))
  for (const r of addRecipients) {
    if (age.some((e) => e.recipient === r)) continue
    age.push({ recipient: r, enc: await wrapDataKey(dataKey, r) })
  }
  if (age.length === 0) throw new SopsError("InvalidInput", `${where(options)}removing every recipient would leave the file undecryptable`)
  if (md.otherKeys.length > 0) {
    throw new SopsError("UnsupportedKeyType", `${where(options)}the file also has ${md.otherKeys.join(", ")} master keys; moor only re-keys age-only files`)
  }
  // a fresh, still encrypted copy of the file: only its metadata changes
  const tree = wrap(options, () => loadEncrypted(text, format, options))
  return wrap(options, () => tree.emit(metadataToObject({ ...md, age })))
}
