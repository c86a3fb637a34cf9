// Writes deploy/crds/ from the @moor/api schemas: one CRD per kind and a
// kustomization.yaml. Run from anywhere: `node libs/api/scripts/gen-crds.ts`.
// Crd.test.ts fails when the committed files differ from what this writes.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { allKinds } from "../src/Registry.ts"
import { renderCrdFiles } from "../src/Crd.ts"

const dir = join(dirname(fileURLToPath(import.meta.url)), "../../../deploy/crds")
mkdirSync(dir, { recursive: true })
const files = renderCrdFiles(allKinds)
for (const name of readdirSync(dir)) if (name.endsWith(".yaml") && !files.has(name)) rmSync(join(dir, name))
for (const [name, text] of files) writeFileSync(join(dir, name), text)
console.log(`wrote ${files.size} files to ${dir}`)
