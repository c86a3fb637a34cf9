// The data key wrapped for age recipients: the armored age file whose
// plaintext is the raw 32-byte data key, as sops stores it under `sops.age[].enc`.
import { Decrypter, Encrypter, armor } from "age-encryption"
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

/** Tries every identity on every wrapped copy; undefined when none opens. */
export const unwrapDataKey = async (
  entries: ReadonlyArray<{ recipient: string; enc: string }>,
  identities: ReadonlyArray<string>,
): Promise<Uint8Array | undefined> => {
  const keys = identities.flatMap(parseIdentities)
  if (keys.length === 0) return undefined
  const d = new Decrypter()
  for (const k of keys) {
    try {
      d.addIdentity(k)
    } catch (err) {
      void err // its message may quote the key: never surface it
      throw new SopsError("InvalidInput", "an age identity could not be read (expected AGE-SECRET-KEY-1...)")
    }
  }
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
      if (key.length === 32) return key
    } catch {
      // not for us: try the next stanza
    }
  }
  return undefined
}
