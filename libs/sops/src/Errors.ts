// Errors of @moor/sops. A message names the file, its recipients (public keys)
// and the failing field path, never a decrypted value.

/** Why a SOPS operation failed; maps onto a condition reason in the apply path. */
export type SopsErrorReason =
  | "ParseError" // the file is not valid YAML/JSON/dotenv, or its sops metadata is malformed
  | "NotEncrypted" // no sops metadata where it was required
  | "AlreadyEncrypted" // encrypt() on a file that has sops metadata
  | "NoMatchingIdentity" // none of the identities unwraps the data key
  | "UnsupportedKeyType" // only PGP/KMS/Vault/... master keys, no age
  | "DecryptionFailed" // a value or the MAC does not authenticate, or the MAC mismatches
  | "InvalidConfig" // .sops.yaml or options are wrong
  | "InvalidInput" // bad arguments (unknown format, bad recipient)

/** The one error type thrown by this library; `reason` is stable, `message` is for people. */
export class SopsError extends Error {
  readonly reason: SopsErrorReason
  /** age recipients (public keys) of the file, when known. */
  readonly recipients: ReadonlyArray<string>
  /** 1-based line of a parse error, when known. */
  readonly line: number | undefined
  constructor(reason: SopsErrorReason, message: string, extra?: { recipients?: ReadonlyArray<string>; line?: number }) {
    super(message)
    this.name = "SopsError"
    this.reason = reason
    this.recipients = extra?.recipients ?? []
    this.line = extra?.line
  }
}
