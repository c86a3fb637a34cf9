// The data key wrapped for age recipients: the armored age file whose
// plaintext is the raw 32-byte data key, as sops stores it under `sops.age[].enc`.
import { createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, createSecretKey, diffieHellman, type KeyObject, timingSafeEqual } from "node:crypto"
import { bech32 } from "@scure/base"
import { Decrypter, Encrypter, armor, identityToRecipient, type Identity, type Stanza } from "age-encryption"
import { SopsError } from "../Errors.ts"

/** Secret keys found in an identities file or string (comments and blank lines ignored). */
export const parseIdentities = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith("AGE-SECRET-KEY-"))

const recipientRe = /^age1[0-9a-z]+$/

/** Checks a recipient string early, so the error names it instead of failing deep inside age. */
export const checkRecipient = (r: string): void => {
  if (!recipientRe.test(r)) throw new SopsError("InvalidInput", `invalid age recipient ${JSON.stringify(r.slice(0, 120))}: expected age1...`)
}

/** Wraps the data key for one recipient, as an armored age file. */
export const wrapDataKey = async (dataKey: Uint8Array, recipient: string): Promise<string> => {
  checkRecipient(recipient)
  const e = new Encrypter()
  try {
    e.addRecipient(recipient)
  } catch (err) {
    throw new SopsError("InvalidInput", `invalid age recipient ${recipient}: ${(err as Error).message}`)
  }
  return armor.encode(await e.encrypt(dataKey))
}

/**
 * Remembers unwrapped data keys by wrapped stanza and identity set, so a file
 * decrypted again (every reconcile of an unchanged revision) skips the age
 * key agreement. Holds secrets in memory as the identities themselves are:
 * keep one per cluster key, never share it across keys' owners.
 */
export class DataKeyCache {
  readonly #max: number
  readonly #map = new Map<string, Uint8Array>()
  constructor(maxEntries = 10_000) {
    this.#max = maxEntries
  }
  get size(): number {
    return this.#map.size
  }
  /** @internal */
  get(k: string): Uint8Array | undefined {
    const v = this.#map.get(k)
    if (v !== undefined) {
      // least recently used first in the map's order
      this.#map.delete(k)
      this.#map.set(k, v)
    }
    return v
  }
  /** @internal */
  set(k: string, v: Uint8Array): void {
    if (this.#map.size >= this.#max) this.#map.delete(this.#map.keys().next().value!)
    this.#map.set(k, v)
  }
  clear(): void {
    this.#map.clear()
  }
}

const digest = (parts: ReadonlyArray<string>): string => {
  const h = createHash("sha256")
  for (const p of parts) h.update(p).update("\0")
  return h.digest("base64")
}

// DER prefixes of raw X25519 keys (RFC 8410), to make node:crypto KeyObjects.
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex")
const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex")
const X25519_LABEL = Buffer.from("age-encryption.org/v1/X25519")
// A raw X25519 public key as a PEM string: node:crypto tells a string from a KeyObject or
// CryptoKey at once, while a DER Buffer or an options object is first probed as both by
// thrown and caught exceptions (createPublicKey: 9 us from PEM, 27 us from DER, per share).
const spkiPem = (raw: Uint8Array): string => `-----BEGIN PUBLIC KEY-----\n${Buffer.concat([SPKI_X25519, raw]).toString("base64")}\n-----END PUBLIC KEY-----\n`
const PAYLOAD_LABEL = Buffer.from("payload")

// HKDF-SHA-256 with a 32-byte output (one expand block), on HMACs keyed by
// KeyObjects: hkdfSync, and HMACs keyed by raw bytes, spend most of their time
// checking whether the key is a CryptoKey.
const hkdf32 = (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array): KeyObject => {
  const prk = createHmac("sha256", createSecretKey(salt)).update(ikm).digest()
  return createSecretKey(createHmac("sha256", createSecretKey(prk)).update(info).update(ONE).digest())
}
const ONE = Buffer.from([1])
const ZERO_NONCE = Buffer.alloc(12)

/**
 * age's X25519 identity on node:crypto, plugged into age-encryption's
 * Decrypter through its `Identity` interface for headers the fast path below
 * leaves to it. The private key is imported once; a stanza costs a public-key
 * import and one key agreement, then HKDF and ChaCha20-Poly1305, all in
 * OpenSSL. (The built-in identity re-imports the private key for every stanza,
 * deriving its public key again, and runs HKDF and ChaCha20-Poly1305 in
 * JavaScript; WebCrypto's deriveBits costs twice the CPU of diffieHellman for
 * its job and promise.)
 */
class FastX25519Identity implements Identity {
  readonly #key: KeyObject
  readonly #public: Uint8Array
  constructor(key: KeyObject, publicKey: Uint8Array) {
    this.#key = key
    this.#public = publicKey
  }
  static of(raw: Uint8Array): FastX25519Identity {
    const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, raw]), format: "der", type: "pkcs8" })
    const spki = createPublicKey(key).export({ format: "der", type: "spki" })
    return new FastX25519Identity(key, new Uint8Array(spki.subarray(SPKI_X25519.length)))
  }
  /** The file key from one X25519 stanza (share and 32-byte body), or null when it is not ours. */
  unwrap(share: Buffer, body: Uint8Array): Uint8Array | null {
    let secret: Buffer
    try {
      secret = diffieHellman({ privateKey: this.#key, publicKey: createPublicKey(spkiPem(share)) })
    } catch {
      return null // a low-order share: OpenSSL refuses the all-zero secret
    }
    if (secret.every((b) => b === 0)) return null
    const wrap = hkdf32(secret, Buffer.concat([share, this.#public]), X25519_LABEL)
    const d = createDecipheriv("chacha20-poly1305", wrap, ZERO_NONCE, { authTagLength: 16 })
    d.setAuthTag(body.subarray(16))
    try {
      return new Uint8Array(Buffer.concat([d.update(body.subarray(0, 16)), d.final()]))
    } catch {
      return null // not wrapped for this key
    }
  }
  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    for (const s of stanzas) {
      if (s.args[0] !== "X25519") continue
      // as age: a malformed stanza of our type is an error, not "not for us"
      if (s.args.length !== 2 || s.args[1]!.length !== 43 || s.body.length !== 32) throw new Error("invalid X25519 stanza")
      const share = Buffer.from(s.args[1]!, "base64")
      if (share.length !== 32) throw new Error("invalid X25519 stanza")
      const key = this.unwrap(share, s.body)
      if (key) return key
    }
    return null
  }
}

/**
 * Identities prepared once for many files (cached per identity set): X25519
 * keys as node:crypto identities, post-quantum ones as age-encryption reads
 * them; the recipients, to try the stanza written for us first.
 */
export type Keyring = {
  readonly ids: string
  readonly ours: ReadonlySet<string>
  readonly decrypter: Decrypter
  readonly count: number
  /** the X25519 identities, for headers read without age-encryption (see openHeader) */
  readonly x25519: ReadonlyArray<FastX25519Identity>
}

const fastIdentity = (identity: string): FastX25519Identity | undefined => {
  try {
    const { prefix, bytes } = bech32.decodeToBytes(identity)
    if (prefix.toUpperCase() !== "AGE-SECRET-KEY-" || bytes.length !== 32) return undefined
    return FastX25519Identity.of(bytes)
  } catch {
    return undefined // let age-encryption read (or refuse) it
  }
}

// identity set digest -> keyring (bounded: a process holds a few cluster keys)
const keyrings = new Map<string, Promise<Keyring>>()

const buildKeyring = async (keys: ReadonlyArray<string>, ids: string): Promise<Keyring> => {
  const d = new Decrypter()
  const ours = new Set<string>()
  const x25519: FastX25519Identity[] = []
  for (const k of keys) {
    let r: string
    try {
      r = await identityToRecipient(k)
    } catch {
      // its message may quote the key: never surface it
      throw new SopsError("InvalidInput", "an age identity could not be read (expected AGE-SECRET-KEY-1...)")
    }
    ours.add(r)
    const own = k.startsWith("AGE-SECRET-KEY-1") ? fastIdentity(k) : undefined
    if (own) x25519.push(own)
    try {
      d.addIdentity(own ?? k)
    } catch {
      throw new SopsError("InvalidInput", "an age identity could not be read (expected AGE-SECRET-KEY-1...)")
    }
  }
  return { ids, ours, decrypter: d, count: keys.length, x25519 }
}

// the same identities array passed for every object of a build: skip parsing and hashing it again
const byArray = new WeakMap<ReadonlyArray<string>, Promise<Keyring>>()

/** The prepared identities of a list of identity strings or key files (cached per set). */
export const keyringFor = (identities: ReadonlyArray<string>): Promise<Keyring> => {
  let k = byArray.get(identities)
  if (!k) {
    k = keyringOf(identities)
    byArray.set(identities, k)
    k.catch(() => byArray.delete(identities))
  }
  return k
}

const keyringOf = (identities: ReadonlyArray<string>): Promise<Keyring> => {
  const keys = identities.flatMap(parseIdentities)
  const ids = digest([...keys].sort())
  let k = keyrings.get(ids)
  if (!k) {
    k = buildKeyring(keys, ids)
    // a failed preparation is not remembered
    k.catch(() => keyrings.delete(ids))
    if (keyrings.size >= 64) keyrings.delete(keyrings.keys().next().value!)
    keyrings.set(ids, k)
  }
  return k
}

const NL = 0x0a
// The end of an age header: the byte after the "--- <mac>" line.
const headerEnd = (b: Uint8Array): number => {
  for (let i = 0; i + 4 < b.length; i++) {
    if (b[i] === NL && b[i + 1] === 0x2d && b[i + 2] === 0x2d && b[i + 3] === 0x2d && b[i + 4] === 0x20) {
      const end = b.indexOf(NL, i + 5)
      return end < 0 ? -1 : end + 1
    }
  }
  return -1
}

// age's payload for a file of at most one chunk: a 16-byte nonce, then one
// ChaCha20-Poly1305 chunk (counter 0, last-chunk flag) under
// HKDF-SHA-256(file key, nonce, "payload"). Decrypted with node:crypto; any
// other shape goes through age-encryption's streaming decrypter.
const LAST_CHUNK_NONCE = Buffer.from("000000000000000000000001", "hex")
const openPayload = (fileKey: Uint8Array, payload: Uint8Array): Uint8Array | undefined => {
  if (payload.length !== 16 + 32 + 16) return undefined
  const key = hkdf32(fileKey, payload.subarray(0, 16), PAYLOAD_LABEL)
  const d = createDecipheriv("chacha20-poly1305", key, LAST_CHUNK_NONCE, { authTagLength: 16 })
  d.setAuthTag(payload.subarray(48))
  try {
    return new Uint8Array(Buffer.concat([d.update(payload.subarray(16, 48)), d.final()]))
  } catch {
    return undefined
  }
}

const decodeEnc = (enc: string): Uint8Array | undefined => {
  try {
    return armor.decode(enc)
  } catch {
    try {
      return Buffer.from(enc, "base64")
    } catch {
      return undefined
    }
  }
}

const BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----"
const END = "-----END AGE ENCRYPTED FILE-----"
const armorLine = /^[A-Za-z0-9+/]{64}$/
const lastArmorLine = /^[A-Za-z0-9+/]{0,63}(?:[A-Za-z0-9+/]={0,2})?$/

// The armor as age writes it (64-column lines of padded base64); undefined for
// any other shape, which age-encryption's armor reader then judges.
export const readArmor = (enc: string): Buffer | undefined => {
  const lines = enc.trim().split("\n")
  if (lines.length < 3 || lines[0] !== BEGIN || lines[lines.length - 1] !== END) return undefined
  for (let i = 1; i < lines.length - 2; i++) if (!armorLine.test(lines[i]!)) return undefined
  const last = lines[lines.length - 2]!
  if (last.length === 0 || last.length > 64 || !lastArmorLine.test(last)) return undefined
  const b64 = lines.slice(1, -1).join("")
  if (b64.length % 4 !== 0) return undefined
  const bytes = Buffer.from(b64, "base64")
  return bytes.toString("base64") === b64 ? bytes : undefined
}

// unpadded base64 as age writes it: canonical, so one encoding per value
const rawBase64 = (s: string, size: number): Buffer | undefined => {
  const b = Buffer.from(s, "base64")
  return b.length === size && b.toString("base64").replace(/=+$/, "") === s ? b : undefined
}

const HEADER_LABEL = Buffer.from("header")
const EMPTY_SALT = Buffer.alloc(32) // HKDF without salt: HashLen zero bytes
const VERSION_LINE = "age-encryption.org/v1\n"

/**
 * An age header of X25519 stanzas only (what sops writes for age recipients),
 * read and checked in node:crypto: the stanzas, the header MAC, then the
 * payload. age-encryption reads headers through web streams and HMACs in
 * JavaScript, which made up most of a first decryption. `undefined`: another
 * shape (other stanza types, another wrapping), left to age-encryption;
 * `null`: no stanza is ours, or the MAC or payload does not authenticate.
 */
export const openX25519File = (k: Keyring, bytes: Buffer): Uint8Array | null | undefined => {
  if (k.x25519.length === 0) return undefined
  const text = bytes.toString("latin1")
  if (!text.startsWith(VERSION_LINE)) return undefined
  const stanzas: { share: Buffer; body: Buffer }[] = []
  let at = VERSION_LINE.length
  for (;;) {
    const nl = text.indexOf("\n", at)
    if (nl < 0) return undefined
    const line = text.slice(at, nl)
    if (line.startsWith("--- ")) {
      const mac = rawBase64(line.slice(4), 32)
      if (!mac || stanzas.length === 0) return undefined
      const headerNoMac = bytes.subarray(0, at + 3)
      for (const s of stanzas) {
        for (const id of k.x25519) {
          const fileKey = id.unwrap(s.share, s.body)
          if (!fileKey) continue
          const want = createHmac("sha256", hkdf32(fileKey, EMPTY_SALT, HEADER_LABEL)).update(headerNoMac).digest()
          if (!timingSafeEqual(want, mac)) return null
          return openPayload(fileKey, bytes.subarray(nl + 1)) ?? null
        }
      }
      return null
    }
    // "-> X25519 <share>" then the 32-byte body on one line (43 characters, shorter than a full line)
    const args = line.split(" ")
    if (args.length !== 3 || args[0] !== "->" || args[1] !== "X25519") return undefined
    const share = rawBase64(args[2]!, 32)
    const bodyEnd = text.indexOf("\n", nl + 1)
    const body = bodyEnd < 0 ? undefined : rawBase64(text.slice(nl + 1, bodyEnd), 32)
    if (!share || !body) return undefined
    stanzas.push({ share, body })
    at = bodyEnd + 1
  }
}

// One wrapped copy of the data key opened with the keyring; undefined when it is not for us.
const openEntry = async (k: Keyring, enc: string): Promise<Uint8Array | undefined> => {
  const armored = readArmor(enc)
  if (armored) {
    const key = openX25519File(k, armored)
    if (key !== undefined) return key?.length === 32 ? key : undefined
  }
  // age's own armor, already read: not decoded a second time
  const bytes = armored ?? decodeEnc(enc)
  if (!bytes) return undefined
  try {
    const end = headerEnd(bytes)
    if (end > 0) {
      // the header (stanzas and MAC) stays age-encryption's
      const fileKey = await k.decrypter.decryptHeader(bytes.subarray(0, end))
      const key = openPayload(fileKey, bytes.subarray(end))
      if (key) return key
    }
    const key = await k.decrypter.decrypt(bytes, "uint8array")
    return key.length === 32 ? key : undefined
  } catch {
    return undefined // not for us: try the next stanza
  }
}

/** Tries the identities on the wrapped copies (ours first); undefined when none opens. */
export const unwrapDataKey = async (
  allEntries: ReadonlyArray<{ recipient: string; enc: string }>,
  identities: ReadonlyArray<string>,
  cache?: DataKeyCache,
): Promise<Uint8Array | undefined> => {
  const k = await keyringFor(identities)
  if (k.count === 0) return undefined
  if (cache) {
    for (const e of allEntries) {
      const hit = cache.get(digest([k.ids, e.enc]))
      if (hit) return hit
    }
  }
  // stanzas for our recipients first: a failed attempt costs a key agreement
  const entries = [...allEntries].sort((a, b) => Number(k.ours.has(b.recipient)) - Number(k.ours.has(a.recipient)))
  for (const e of entries) {
    const key = await openEntry(k, e.enc)
    if (key) {
      cache?.set(digest([k.ids, e.enc]), key)
      return key
    }
  }
  return undefined
}
