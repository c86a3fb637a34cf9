// The data key wrapped for age recipients: the armored age file whose
// plaintext is the raw 32-byte data key, as sops stores it under `sops.age[].enc`.
import { createHash } from "node:crypto"
import { Decrypter, Encrypter, armor, identityToRecipient } from "age-encryption"
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
    return this.#map.get(k)
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

// identity digest -> recipient: lets us try only the stanza written for our key
const recipientOf = new Map<string, string>()
const recipientFor = async (identity: string): Promise<string | undefined> => {
  const k = digest([identity])
  let r = recipientOf.get(k)
  if (r === undefined) {
    try {
      r = await identityToRecipient(identity)
    } catch {
      return undefined
    }
    if (recipientOf.size > 1000) recipientOf.clear()
    recipientOf.set(k, r)
  }
  return r
}

// identity set digest -> Decrypter: building one derives each identity's public
// key (a key agreement), so a set used again reuses its Decrypter
const decrypters = new Map<string, Decrypter>()
const decrypterFor = (keys: ReadonlyArray<string>, ids: string): Decrypter => {
  let d = decrypters.get(ids)
  if (d) return d
  d = new Decrypter()
  for (const k of keys) {
    try {
      d.addIdentity(k)
    } catch (err) {
      void err // its message may quote the key: never surface it
      throw new SopsError("InvalidInput", "an age identity could not be read (expected AGE-SECRET-KEY-1...)")
    }
  }
  if (decrypters.size >= 64) decrypters.delete(decrypters.keys().next().value!)
  decrypters.set(ids, d)
  return d
}

/** Tries the identities on the wrapped copies (ours first); undefined when none opens. */
export const unwrapDataKey = async (
  allEntries: ReadonlyArray<{ recipient: string; enc: string }>,
  identities: ReadonlyArray<string>,
  cache?: DataKeyCache,
): Promise<Uint8Array | undefined> => {
  const keys = identities.flatMap(parseIdentities)
  if (keys.length === 0) return undefined
  const ids = digest([...keys].sort())
  if (cache) {
    for (const e of allEntries) {
      const hit = cache.get(digest([ids, e.enc]))
      if (hit) return hit
    }
  }
  const ours = new Set<string>()
  for (const k of keys) {
    const r = await recipientFor(k)
    if (r) ours.add(r)
  }
  // stanzas for our recipients first: a failed attempt costs a key agreement
  const entries = [...allEntries].sort((a, b) => Number(ours.has(b.recipient)) - Number(ours.has(a.recipient)))
  const d = decrypterFor(keys, ids)
  for (const e of entries) {
    let bytes: Uint8Array
    try {
      bytes = armor.decode(e.enc)
    } catch {
      try {
        bytes = Buffer.from(e.enc, "base64")
      } catch {
        continue
      }
    }
    try {
      const key = await d.decrypt(bytes, "uint8array")
      if (key.length === 32) {
        cache?.set(digest([ids, e.enc]), key)
        return key
      }
    } catch {
      // not for us: try the next stanza
    }
  }
  return undefined
}
