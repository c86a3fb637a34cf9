// Value encryption as SOPS does it: AES-256-GCM with a 32-byte random IV,
// the value's path ("a:b:") as additional data, and the value's type kept
// beside it: ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<t>].
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from "node:crypto"

// A KeyObject made once per file: createDecipheriv with raw key bytes spends
// most of its time deciding whether the bytes are a CryptoKey (4-8x slower).
export type ValueKey = Uint8Array | KeyObject

/** A cleartext leaf: its sops type and its text as sops encrypts it. */
export type Plain = { readonly type: "str" | "int" | "float" | "bool" | "bytes" | "comment"; readonly text: string }

const encRe = /^ENC\[AES256_GCM,data:([A-Za-z0-9+/=]*),iv:([A-Za-z0-9+/=]+),tag:([A-Za-z0-9+/=]+),type:(str|int|int64|float|bool|bytes|comment)\]$/

export const isEncValue = (s: string): boolean => encRe.test(s)

/** Encrypts one value; empty strings stay empty as in sops. */
export const encryptValue = (p: Plain, key: ValueKey, aad: string): string => {
  if (p.text === "" && (p.type === "str" || p.type === "bytes")) return ""
  // sops writes booleans title-cased, as its Python ancestor did
  const text = p.type === "bool" ? (parseBool(p.text) ? "True" : "False") : p.text
  const iv = randomBytes(32)
  const c = createCipheriv("aes-256-gcm", key, iv)
  c.setAAD(Buffer.from(aad, "utf8"))
  const data = Buffer.concat([c.update(Buffer.from(text, "utf8")), c.final()])
  const tag = c.getAuthTag()
  return `ENC[AES256_GCM,data:${data.toString("base64")},iv:${iv.toString("base64")},tag:${tag.toString("base64")},type:${p.type}]`
}

/** Decrypts one value, or returns undefined when it does not authenticate (wrong key, path or tampering). */
export const decryptValue = (s: string, key: ValueKey, aad: string): Plain | undefined => {
  const m = encRe.exec(s)
  if (!m) return undefined
  const [, data, iv, tag, t] = m as unknown as [string, string, string, string, Plain["type"] | "int64"]
  const type = t === "int64" ? "int" : t
  try {
    const d = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"))
    d.setAAD(Buffer.from(aad, "utf8"))
    d.setAuthTag(Buffer.from(tag, "base64"))
    const out = Buffer.concat([d.update(Buffer.from(data, "base64")), d.final()])
    return { type, text: out.toString("utf8") }
  } catch {
    return undefined
  }
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent. */
export const formatFloat = (v: number): string => {
  if (Number.isNaN(v)) return "NaN"
  if (v === Infinity) return "+Inf"
  if (v === -Infinity) return "-Inf"
  if (Object.is(v, -0)) return "-0"
  const s = String(v)
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s)
  if (!m) return s
  const [, sign, lead, frac = "", expS] = m as unknown as [string, string, string, string | undefined, string]
  const exp = Number(expS)
  const digits = lead + frac
  if (exp >= 0) {
    const point = 1 + exp
    return sign + (digits.length <= point ? digits + "0".repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`)
  }
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`
}

/** Go's strconv.ParseBool. */
export const parseBool = (s: string): boolean | undefined =>
  ["1", "t", "T", "TRUE", "true", "True"].includes(s) ? true : ["0", "f", "F", "FALSE", "false", "False"].includes(s) ? false : undefined

/** The bytes sops feeds to the MAC for a cleartext leaf (sops.ToBytes after decoding). */
export const macBytes = (p: Plain): string => {
  switch (p.type) {
    case "bool":
      return parseBool(p.text) ? "True" : "False"
    case "int":
      return /^[+-]?\d+$/.test(p.text) ? BigInt(p.text).toString() : p.text
    case "float": {
      const n = Number(p.text)
      return Number.isNaN(n) && p.text !== "NaN" ? p.text : formatFloat(n)
    }
    default:
      return p.text
  }
}
