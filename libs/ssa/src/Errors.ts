// Errors of the apply engine: every failure names its object and the server's message.
import { refString, type ChangeSet, type ObjectRef } from "./ChangeSet.ts"

/** One object that could not be validated, applied, waited for or pruned. */
export interface ObjectFailure {
  readonly ref: ObjectRef
  readonly message: string
}

/**
 * An apply, diff or prune that failed. `phase` says how far it got: "validate" and "dry-run"
 * mean nothing was written; later phases carry the change set of what was written before.
 */
export class ApplyError extends Error {
  override readonly name = "ApplyError"
  readonly phase: "validate" | "dry-run" | "apply" | "wait" | "prune"
  readonly failures: ReadonlyArray<ObjectFailure>
  readonly changeSet: ChangeSet
  /** The Ready condition reason this failure maps to (Flux's: ReconciliationFailed, PruneFailed). */
  get reason(): "ReconciliationFailed" | "PruneFailed" {
    return this.phase === "prune" ? "PruneFailed" : "ReconciliationFailed"
  }
  /** Plain data for NATS replies and status messages (the change set travels separately). */
  toJSON(): { _tag: "ApplyError"; phase: ApplyError["phase"]; reason: string; message: string; failures: ReadonlyArray<ObjectFailure> } {
    return { _tag: "ApplyError", phase: this.phase, reason: this.reason, message: this.message, failures: this.failures }
  }
  constructor(phase: ApplyError["phase"], failures: ReadonlyArray<ObjectFailure>, changeSet: ChangeSet = { entries: [], writes: 0 }) {
    super(failures.map((f) => `${refString(f.ref)}: ${f.message}`).join("; ") || `${phase} failed`)
    this.phase = phase
    this.failures = failures
    this.changeSet = changeSet
  }
}
