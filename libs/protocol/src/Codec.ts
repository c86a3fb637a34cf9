// JSON-over-bytes codecs that validate with a Schema at both ends, so a bad
// message becomes a readable error with a path rather than a crash.
import { Schema } from "effect"

const enc = new TextEncoder()
const dec = new TextDecoder()

/** A message that failed to decode: which schema, and the issue with its path. */
export class DecodeError extends Error {
  override readonly name = "DecodeError"
}

/** Builds encode/decode for one message schema. */
export const codec = <S extends Schema.Codec<any, any, never, never>>(schema: S, what: string) => {
  const validate = Schema.decodeUnknownSync(schema as any, { errors: "all" }) as (u: unknown) => S["Type"]
  return {
    /** Validates then encodes to UTF-8 JSON; throws DecodeError on a value that breaks the schema. */
    encode(value: S["Type"]): Uint8Array {
      return enc.encode(JSON.stringify(this.check(value)))
    },
    /** Parses and validates bytes from the wire. */
    decode(bytes: Uint8Array): S["Type"] {
      let u: unknown
      try {
        u = JSON.parse(dec.decode(bytes))
      } catch (e) {
        throw new DecodeError(`${what}: not JSON: ${(e as Error).message}`)
      }
      return this.check(u)
    },
    /** Validates a plain value. */
    check(u: unknown): S["Type"] {
      try {
        return validate(u)
      } catch (e) {
        throw new DecodeError(`${what}: ${(e as Error).message}`)
      }
    },
  }
}
