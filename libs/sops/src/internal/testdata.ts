// Locates the vectors made by the real sops and age CLIs (../shared/testdata
// next to the repository); tests skip with a printed reason when absent.
import { existsSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..")
export const vectorsDir = join(repoRoot, "../shared/testdata/sops/kustomize-controller")

/** Undefined when the vectors exist, else the reason to skip. */
export const vectorsMissing = (): string | undefined =>
  existsSync(join(vectorsDir, "keys/age.txt")) ? undefined : `sops vectors not found at ${vectorsDir}`

export const vector = (rel: string): string => readFileSync(join(vectorsDir, rel), "utf8")
