// Builds the benchmark repository with `git fast-import` (fast, deterministic):
// `files` files in nested directories, `commits` commits each changing a few.
import { spawnSync } from "node:child_process"

const content = (i: number, rev: number) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: app-${i % 50}\ndata:\n  revision: "${rev}"\n  payload: "${"x".repeat(200 + (i % 300))}"\n`

const pathOf = (i: number) => `apps/team-${i % 20}/svc-${Math.floor(i / 20) % 25}/cm-${i}.yaml`

/** Creates a bare repository at `dir` with branch main. */
export const makeRepo = (dir: string, files = 5000, commits = 500, changesPerCommit = 10) => {
  const init = spawnSync("git", ["init", "-q", "--bare", "-b", "main", dir])
  if (init.status !== 0) throw new Error(init.stderr.toString())
  const chunks: string[] = []
  const blob = (data: string) => `data ${Buffer.byteLength(data)}\n${data}\n`
  let t = 1_700_000_000
  for (let c = 0; c < commits; c++) {
    const msg = `commit ${c}`
    chunks.push(`commit refs/heads/main\ncommitter Bench <bench@example.com> ${t++} +0000\n${blob(msg)}`)
    if (c === 0) for (let i = 0; i < files; i++) chunks.push(`M 100644 inline ${pathOf(i)}\n${blob(content(i, 0))}`)
    else
      for (let k = 0; k < changesPerCommit; k++) {
        const i = (c * 37 + k * 101) % files
        chunks.push(`M 100644 inline ${pathOf(i)}\n${blob(content(i, c))}`)
      }
    chunks.push("\n")
  }
  const r = spawnSync("git", ["fast-import", "--quiet"], { cwd: dir, input: chunks.join(""), maxBuffer: 1 << 30 })
  if (r.status !== 0) throw new Error(r.stderr.toString())
  spawnSync("git", ["repack", "-adq"], { cwd: dir })
}

/** Adds one commit changing `n` files on main of the bare repository `dir`; returns the new commit id. */
export const addCommit = (dir: string, seq: number, n = 5, files = 5000): string => {
  const parent = spawnSync("git", ["rev-parse", "refs/heads/main"], { cwd: dir }).stdout.toString().trim()
  const chunks = [`commit refs/heads/main\ncommitter Bench <bench@example.com> ${1_800_000_000 + seq} +0000\ndata 6\nextra\nfrom ${parent}\n`]
  for (let k = 0; k < n; k++) {
    const i = (seq * 53 + k * 211) % files
    const d = content(i, 100_000 + seq)
    chunks.push(`M 100644 inline ${pathOf(i)}\ndata ${Buffer.byteLength(d)}\n${d}\n`)
  }
  chunks.push("\n")
  const r = spawnSync("git", ["fast-import", "--quiet"], { cwd: dir, input: chunks.join("") })
  if (r.status !== 0) throw new Error(r.stderr.toString())
  return spawnSync("git", ["rev-parse", "refs/heads/main"], { cwd: dir }).stdout.toString().trim()
}
