// The `sops` metadata block: which master keys wrap the data key, the MAC,
// and the rules saying which values are encrypted.
import { SopsError } from "../Errors.ts"

/** Which values a file encrypts; the options of a creation rule and of the metadata. */
export type EncryptionRules = {
  readonly unencryptedSuffix?: string | undefined
  readonly encryptedSuffix?: string | undefined
  readonly unencryptedRegex?: string | undefined
  readonly encryptedRegex?: string | undefined
  readonly macOnlyEncrypted?: boolean | undefined
}

export type AgeEntry = { readonly recipient: string; readonly enc: string }

export type Metadata = EncryptionRules & {
  readonly age: ReadonlyArray<AgeEntry>
  /** master key types other than age present in the file (pgp, kms, ...). */
  readonly otherKeys: ReadonlyArray<string>
  readonly lastModified: string
  readonly mac: string
  readonly version: string
}

export const FORMAT_VERSION = "3.9.0"
export const DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted"

const otherKinds = ["pgp", "kms", "gcp_kms", "azure_kv", "hc_vault", "hckms"] as const

const str = (v: unknown, field: string): string | undefined => {
  if (v === undefined || v === null) return undefined
  if (typeof v === "string") return v
  if (typeof v === "number" || typeof v === "boolean") return String(v)
  throw new SopsError("ParseError", `sops.${field}: expected a string`)
}

/** Reads the metadata from the decoded `sops` value of a file. */
export const metadataFromObject = (o: unknown): Metadata => {
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw new SopsError("ParseError", "sops: expected a mapping")
  const m = o as Record<string, unknown>
  let age: AgeEntry[] = []
  const otherKeys: string[] = []
  const readAge = (list: unknown, where: string) => {
    if (list === undefined || list === null) return
    if (!Array.isArray(list)) throw new SopsError("ParseError", `${where}: expected a list`)
    list.forEach((e, i) => {
      const r = str((e as Record<string, unknown> | null)?.["recipient"], `${where}[${i}].recipient`)
      const enc = str((e as Record<string, unknown> | null)?.["enc"], `${where}[${i}].enc`)
      if (!r || !enc) throw new SopsError("ParseError", `sops.${where}[${i}]: recipient and enc are required`)
      age.push({ recipient: r, enc })
    })
  }
  readAge(m["age"], "age")
  for (const k of otherKinds) if (Array.isArray(m[k]) && (m[k] as unknown[]).length > 0) otherKeys.push(k)
  if (Array.isArray(m["key_groups"])) {
    const groups = m["key_groups"] as Array<Record<string, unknown>>
    if (groups.length > 1) otherKeys.push("key_groups (Shamir secret sharing)")
    groups.forEach((g, i) => {
      readAge(g?.["age"], `key_groups[${i}].age`)
      for (const k of otherKinds) if (Array.isArray(g?.[k]) && (g[k] as unknown[]).length > 0) otherKeys.push(k)
    })
  }
  age = age.filter((e, i) => age.findIndex((x) => x.recipient === e.recipient && x.enc === e.enc) === i)
  for (const k of ["unencrypted_comment_regex", "encrypted_comment_regex"]) {
    if (m[k]) throw new SopsError("ParseError", `sops.${k} is not supported by moor`)
  }
  const mac = str(m["mac"], "mac")
  const lastModified = str(m["lastmodified"], "lastmodified")
  if (!mac) throw new SopsError("ParseError", "sops.mac: missing")
  if (!lastModified) throw new SopsError("ParseError", "sops.lastmodified: missing")
  const mo = m["mac_only_encrypted"]
  return {
    age,
    otherKeys,
    lastModified,
    mac,
    version: str(m["version"], "version") ?? "",
    unencryptedSuffix: str(m["unencrypted_suffix"], "unencrypted_suffix"),
    encryptedSuffix: str(m["encrypted_suffix"], "encrypted_suffix"),
    unencryptedRegex: str(m["unencrypted_regex"], "unencrypted_regex"),
    encryptedRegex: str(m["encrypted_regex"], "encrypted_regex"),
    macOnlyEncrypted: mo === true || mo === "true",
  }
}

/** The metadata as sops writes it (key order of sops 3.9 without the empty key lists). */
export const metadataToObject = (md: Metadata): Record<string, unknown> => {
  const o: Record<string, unknown> = {
    age: md.age.map((e) => ({ recipient: e.recipient, enc: e.enc })),
    lastmodified: md.lastModified,
    mac: md.mac,
  }
  if (md.unencryptedSuffix) o["unencrypted_suffix"] = md.unencryptedSuffix
  if (md.encryptedSuffix) o["encrypted_suffix"] = md.encryptedSuffix
  if (md.unencryptedRegex) o["unencrypted_regex"] = md.unencryptedRegex
  if (md.encryptedRegex) o["encrypted_regex"] = md.encryptedRegex
  if (md.macOnlyEncrypted) o["mac_only_encrypted"] = true
  o["version"] = md.version
  return o
}

/** lastmodified as Go's time.Format(RFC3339) prints it: the MAC's additional data. */
export const macAad = (lastModified: string): string => {
  const m = /^(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d:\d\d)(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/.exec(lastModified.trim())
  if (!m) throw new SopsError("ParseError", `sops.lastmodified: ${JSON.stringify(lastModified)} is not an RFC 3339 time`)
  const zone = m[4]!.toUpperCase() === "Z" || m[4] === "+00:00" || m[4] === "-00:00" ? "Z" : m[4]!
  return `${m[1]}T${m[2]}${zone}`
}

export const nowRfc3339 = (): string => new Date().toISOString().replace(/\.\d+Z$/, "Z")

// every file of a repository carries the same few regexes: compile each once
const compiled = new Map<string, RegExp>()
const compile = (re: string, field: string): RegExp => {
  const hit = compiled.get(re)
  if (hit) return hit
  try {
    const r = new RegExp(re)
    if (compiled.size >= 256) compiled.clear()
    compiled.set(re, r)
    return r
  } catch (e) {
    throw new SopsError("InvalidConfig", `${field}: invalid regular expression: ${(e as Error).message}`)
  }
}

/** A predicate deciding, from a value's path, whether sops encrypts it (sops's shouldBeEncrypted). */
export const encryptionPredicate = (r: EncryptionRules): ((path: ReadonlyArray<string>) => boolean) => {
  const set = [r.unencryptedSuffix, r.encryptedSuffix, r.unencryptedRegex, r.encryptedRegex].filter((x) => x)
  if (set.length > 1) throw new SopsError("InvalidConfig", "only one of unencrypted_suffix, encrypted_suffix, unencrypted_regex and encrypted_regex may be set")
  const ur = r.unencryptedRegex ? compile(r.unencryptedRegex, "unencrypted_regex") : undefined
  const er = r.encryptedRegex ? compile(r.encryptedRegex, "encrypted_regex") : undefined
  return (path) => {
    let enc = true
    if (r.unencryptedSuffix && path.some((p) => p.endsWith(r.unencryptedSuffix!))) enc = false
    if (r.encryptedSuffix) enc = path.some((p) => p.endsWith(r.encryptedSuffix!))
    if (ur && path.some((p) => ur.test(p))) enc = false
    if (er) enc = path.some((p) => er.test(p))
    return enc
  }
}
