// age identities: generation and the public recipient of an identity.
import { generateIdentity, identityToRecipient } from "age-encryption"
import { SopsError } from "./Errors.ts"
import { parseIdentities } from "./internal/Age.ts"

export { parseIdentities } from "./internal/Age.ts"

/** A new X25519 age identity, with its recipient and the text of an age key file. */
export const generateAgeIdentity = async (now: Date = new Date()): Promise<{ identity: string; recipient: string; keyFile: string }> => {
  const identity = await generateIdentity()
  const recipient = await identityToRecipient(identity)
  const created = now.toISOString().replace(/\.\d+Z$/, "Z")
  return { identity, recipient, keyFile: `# created: ${created}\n# public key: ${recipient}\n${identity}\n` }
}

/** The recipients (public keys) of the identities in a key file or string. */
export const recipientsOfIdentities = async (text: string): Promise<string[]> => {
  const out: string[] = []
  for (const id of parseIdentities(text)) {
    try {
      out.push(await identityToRecipient(id))
    } catch {
      throw new SopsError("InvalidInput", "an age identity could not be read (expected AGE-SECRET-KEY-1...)")
    }
  }
  return out
}
