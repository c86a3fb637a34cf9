// The one error a build fails with: which file, and what is wrong with it.

/** A kustomize build failure; `file` is the path (relative to the tree's root) that is at fault. */
export class KustomizeError extends Error {
  readonly file: string
  readonly reason: string
  constructor(file: string, reason: string) {
    super(file === "" ? reason : `${file}: ${reason}`)
    this.name = "KustomizeError"
    this.file = file
    this.reason = reason
  }
}
