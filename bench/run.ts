// `npm run bench -- <name> [...]`: runs bench/<name>/main.ts (all when none
// is named) in its own process with --expose-gc, so memory figures are clean.
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"

const root = new URL(".", import.meta.url).pathname
const all = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, d.name, "main.ts")))
  .map((d) => d.name)
const names = process.argv.slice(2).length ? process.argv.slice(2) : all
let failed = 0
for (const n of names) {
  if (!all.includes(n)) {
    console.error(`no benchmark "${n}"; have: ${all.join(", ")}`)
    process.exit(2)
  }
  console.log(`\n== bench ${n}`)
  const r = spawnSync(process.execPath, ["--expose-gc", join(root, n, "main.ts")], { stdio: "inherit" })
  if (r.status !== 0) failed++
}
process.exit(failed ? 1 : 0)
