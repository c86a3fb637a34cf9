// The one failure type of an apply: Flux's condition reason and a message a
// person can act on (never a secret value: messages are redacted before they
// leave the actor).

export class ApplyFailure extends Error {
  readonly reason: string
  constructor(reason: string, message: string) {
    super(message)
    this.name = "ApplyFailure"
    this.reason = reason
  }
}
