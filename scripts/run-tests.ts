// Runs every test file with Node's own test runner (TypeScript is run from
// source by Node's type stripping). Extra arguments narrow the run to files
// whose path contains one of them: `npm test -- actors`.
import { spawnSync } from "node:child_process"
import { globSync } from "node:fs"

const patterns = ["libs/*/src/**/*.test.ts", "services/*/src/**/*.test.ts", "test/**/*.test.ts"]
const filters = process.argv.slice(2)
const files = patterns
  .flatMap((p) => globSync(p, { exclude: (f) => f.includes("node_modules") }))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`)
  process.exit(2)
}
const r = spawnSync(process.execPath, ["--test", "--test-concurrency=2", "--test-reporter=spec", ...files], {
  stdio: "inherit",
})
process.exit(r.status ?? 1)
