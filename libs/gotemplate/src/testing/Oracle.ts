// The Go oracle for differential tests: builds libs/gotemplate/oracle (Go's
// text/template + sprig + our Go Helm functions, from Debian's packages)
// into a git-ignored cache when missing, and runs many cases in one process.
import { spawn, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const oracleDir = resolve(here, "../../oracle")
const repoRoot = resolve(here, "../../../..")

/** One request to the oracle (see oracle/main.go). */
export interface OracleRequest {
  readonly id: string
  readonly templates?: readonly (readonly [string, string])[]
  /** [hash, password]: asks Go's bcrypt whether they match */
  readonly bcryptCheck?: readonly [string, string]
  readonly entry?: string
  readonly data?: unknown
  readonly missingkey?: string
  readonly helm?: boolean
  readonly renders?: readonly { readonly name: string; readonly data: unknown }[]
  /** bench mode: render the chart this many more times and report each round's nanoseconds */
  readonly repeat?: number
  /** with repeat: parse all templates again in every round, as Helm does */
  readonly repeatParse?: boolean
}

export interface OracleResponse {
  readonly id: string
  readonly output?: string
  readonly outputs?: Record<string, string>
  readonly error?: string
  readonly phase?: string
  readonly timings?: readonly number[]
}

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...sourceFiles(p))
    else if (e.name.endsWith(".go")) out.push(p)
  }
  return out.sort()
}

/** Builds the oracle binary (cached by a hash of its sources); returns its path. */
export function buildOracle(): string {
  const h = createHash("sha256")
  for (const f of sourceFiles(oracleDir)) h.update(f.slice(oracleDir.length)).update(readFileSync(f))
  const cache = join(repoRoot, ".moor", "cache", "gotemplate-oracle")
  const bin = join(cache, `oracle-${h.digest("hex").slice(0, 16)}`)
  if (existsSync(bin)) return bin
  mkdirSync(cache, { recursive: true })
  const go = spawnSync("go", ["build", "-o", bin, "."], {
    cwd: oracleDir,
    env: { ...process.env, GO111MODULE: "off", GOPATH: "/usr/share/gocode", GOCACHE: join(cache, "gocache"), GOFLAGS: "" },
    encoding: "utf8",
  })
  if (go.error) throw new Error(`cannot run go to build the oracle (install golang-go, see scripts/deps.sh): ${go.error.message}`)
  if (go.status !== 0) throw new Error(`building the Go oracle failed:\n${go.stderr}`)
  return bin
}

/** Runs requests through one oracle process; responses come back in order. */
export async function runOracle(requests: readonly OracleRequest[]): Promise<OracleResponse[]> {
  if (requests.length === 0) return []
  const bin = buildOracle()
  const child = spawn(bin, [], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, TZ: "UTC" } })
  try {
    const lines = createInterface({ input: child.stdout })
    const out: OracleResponse[] = []
    const done = (async () => {
      for await (const line of lines) {
        out.push(JSON.parse(line) as OracleResponse)
        if (out.length === requests.length) break
      }
    })()
    for (const r of requests) child.stdin.write(JSON.stringify(r) + "\n")
    child.stdin.end()
    await done
    if (out.length !== requests.length)
      throw new Error(`the Go oracle stopped after ${out.length} of ${requests.length} requests; next: ${JSON.stringify(requests[out.length])}`)
    return out
  } finally {
    child.kill()
  }
}
