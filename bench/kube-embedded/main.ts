// Benchmark of the embedded API server against a real kube-apiserver (v1.20 with etcd, from
// ../shared/tools/kube-real, when built): server-side apply throughput at 1, 8 and 32
// concurrent clients, list latency with 10,000 objects, 100 watchers receiving one change,
// and memory for 50,000 ConfigMaps. Prints a table, writes bench/results/kube-embedded.json.
//   node bench/kube-embedded/main.ts   (QUICK=1 for a short run)
import { execFile, fork } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { Agent, request } from "node:https"
import { homedir, tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"

const here = dirname(fileURLToPath(import.meta.url))
const quick = process.env.QUICK === "1"
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

interface Client {
  req(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; text: string }>
  watch(path: string, onLine: (line: string) => void): Promise<() => void>
  close(): void
}

const client = (kubeconfig: string, sockets: number): Client => {
  const kc = parse(readFileSync(kubeconfig, "utf8"))
  const url = new URL(kc.clusters[0].cluster.server)
  const ca = Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64")
  const token = kc.users[0].user.token
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, ca })
  const base = { host: url.hostname, port: url.port, agent, ca }
  return {
    req: (method, path, body, contentType = "application/json") =>
      new Promise((res, rej) => {
        const data = body === undefined ? undefined : JSON.stringify(body)
        const r = request({ ...base, method, path, headers: { Authorization: `Bearer ${token}`, ...(data ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(data) } : {}) } }, (resp) => {
          const chunks: Buffer[] = []
          resp.on("data", (c: Buffer) => chunks.push(c))
          resp.on("end", () => res({ status: resp.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
        })
        r.on("error", rej)
        if (data) r.write(data)
        r.end()
      }),
    watch: (path, onLine) =>
      new Promise((res, rej) => {
        const wagent = new Agent({ keepAlive: false, ca })
        const r = request({ ...base, agent: wagent, method: "GET", path, headers: { Authorization: `Bearer ${token}` } }, (resp) => {
          let buf = ""
          resp.on("data", (c: Buffer) => {
            buf += c.toString()
            let i: number
            while ((i = buf.indexOf("\n")) >= 0) {
              onLine(buf.slice(0, i))
              buf = buf.slice(i + 1)
            }
          })
          res(() => {
            r.destroy()
            wagent.destroy()
          })
        })
        r.on("error", (e) => (e.message.includes("socket hang up") ? undefined : rej(e)))
        r.end()
      }),
    close: () => agent.destroy(),
  }
}

const cm = (ns: string, name: string, v: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns }, data: { key: v } })

/** Run `total` requests with `concurrency` workers; returns requests per second. */
const drive = async (concurrency: number, total: number, f: (i: number) => Promise<void>): Promise<number> => {
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) await f(i)
    }),
  )
  return total / ((performance.now() - t0) / 1000)
}

interface Results {
  apply: Record<string, number>
  listMs: number
  watchMs: number
  bytesPerObject?: { heapPerObject: number; jsonPerObject: number; overhead: number }
}

const measure = async (kubeconfig: string, name: string, scale: number, mem?: () => Promise<NodeJS.MemoryUsage>): Promise<Results> => {
  const c = client(kubeconfig, 64)
  const must = async (method: string, path: string, body?: unknown, ct?: string) => {
    const r = await c.req(method, path, body, ct)
    if (r.status >= 300) throw new Error(`${name}: ${method} ${path} -> ${r.status} ${r.text.slice(0, 300)}`)
    return r
  }
  for (const ns of ["bench-apply", "bench-list", "bench-watch", "bench-mem"]) await must("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } })
  const apply: Record<string, number> = {}
  const applyOne = (i: number) => must("PATCH", `/api/v1/namespaces/bench-apply/configmaps/cm-${i % 200}?fieldManager=bench&force=true`, cm("bench-apply", `cm-${i % 200}`, `v${i}`), "application/apply-patch+yaml").then(() => {})
  await drive(8, 200 * scale, applyOne)
  for (const conc of [1, 8, 32]) {
    const runs: number[] = []
    for (let r = 0; r < 3; r++) runs.push(await drive(conc, (quick ? 300 : 1500) * scale, (i) => applyOne(i + r * 100_000 + conc * 1_000_000)))
    apply[String(conc)] = median(runs)
    console.error(`${name}: apply x${conc}: ${apply[String(conc)]!.toFixed(0)}/s`)
  }
  const listN = quick ? 2000 : 10_000
  await drive(32, listN, (i) => must("POST", "/api/v1/namespaces/bench-list/configmaps", cm("bench-list", `cm-${i}`, `value-${i}`)).then(() => {}))
  const lists: number[] = []
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now()
    const res = await must("GET", "/api/v1/namespaces/bench-list/configmaps")
    JSON.parse(res.text)
    lists.push(performance.now() - t0)
  }
  console.error(`${name}: list ${listN}: ${median(lists).toFixed(1)} ms`)
  const wc = client(kubeconfig, 4)
  await must("POST", "/api/v1/namespaces/bench-watch/configmaps", cm("bench-watch", "w", "0"))
  const counts: number[] = []
  let target = ""
  let pending = 0
  let done: (() => void) | undefined
  const stops: Array<() => void> = []
  for (let i = 0; i < 100; i++) {
    stops.push(
      await wc.watch("/api/v1/namespaces/bench-watch/configmaps?watch=true&resourceVersion=0", (line) => {
        if (target !== "" && line.includes(`"key":"${target}"`)) {
          pending--
          if (pending === 0) done?.()
        }
      }),
    )
  }
  await new Promise((r) => setTimeout(r, 500))
  for (let r = 0; r < 5; r++) {
    target = `change-${r}`
    pending = 100
    const all = new Promise<void>((res) => (done = res))
    const t0 = performance.now()
    await must("PATCH", "/api/v1/namespaces/bench-watch/configmaps/w", { data: { key: target } }, "application/merge-patch+json")
    await all
    counts.push(performance.now() - t0)
  }
  for (const s of stops) s()
  console.error(`${name}: 100 watchers: ${median(counts).toFixed(1)} ms`)
  const out: Results = { apply, listMs: median(lists), watchMs: median(counts) }
  if (mem !== undefined) {
    const memN = quick ? 10_000 : 50_000
    const before = await mem()
    await drive(32, memN, (i) => must("POST", "/api/v1/namespaces/bench-mem/configmaps", cm("bench-mem", `cm-${i}`, `value-${i}`)).then(() => {}))
    const after = await mem()
    const list = await must("GET", "/api/v1/namespaces/bench-mem/configmaps")
    const items = JSON.parse(list.text).items as unknown[]
    const jsonPerObject = items.reduce((a: number, o) => a + JSON.stringify({ kind: "ConfigMap", apiVersion: "v1", ...(o as object) }).length, 0) / items.length
    const heapPerObject = (after.heapUsed + after.external - before.heapUsed - before.external) / memN
    out.bytesPerObject = { heapPerObject, jsonPerObject, overhead: heapPerObject - jsonPerObject }
    console.error(`${name}: memory: ${heapPerObject.toFixed(0)} B/object, JSON ${jsonPerObject.toFixed(0)} B`)
  }
  c.close()
  wc.close()
  return out
}

const run = (cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> =>
  new Promise((res, rej) => execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 300_000 }, (e, out, err) => (e ? rej(new Error(`${cmd}: ${err}`)) : res(String(out)))))

const main = async (): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), "bench-kube-"))
  const server = fork(join(here, "server.ts"), [join(dir, "kubeconfig")], { execArgv: ["--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] })
  const replies: Array<(m: any) => void> = []
  server.on("message", (m) => replies.shift()?.(m))
  const next = () => new Promise<any>((r) => replies.push(r))
  await next()
  const mem = async () => {
    const p = next()
    server.send({ cmd: "mem" })
    return (await p).mem as NodeJS.MemoryUsage
  }
  let moor: Results
  try {
    moor = await measure(join(dir, "kubeconfig"), "moor", 1, mem)
  } finally {
    server.send({ cmd: "stop" })
  }
  const kubeReal = resolve(here, "../../../shared/tools/kube-real")
  const home = process.env.KUBE_REAL_HOME ?? join(homedir(), ".cache", "kube-real")
  let real: Results | undefined
  let realNote = ""
  if (existsSync(join(home, "bin", "kube-apiserver")) && existsSync(join(kubeReal, "start.sh"))) {
    const rdir = join(dir, "real")
    try {
      await run("bash", [join(kubeReal, "start.sh"), rdir], { KUBE_CM: "0" })
      real = await measure(join(rdir, "kubeconfig"), "kube-apiserver", quick ? 1 : 0.4)
    } catch (e) {
      realNote = `kube-real failed: ${(e as Error).message}`
    } finally {
      await run("bash", [join(kubeReal, "stop.sh"), rdir]).catch(() => {})
    }
  } else realNote = `no kube-real binaries in ${home}/bin (build with ${kubeReal}/build.sh)`
  rmSync(dir, { recursive: true, force: true })

  const fmt = (v: number | undefined, unit: string, digits = 0) => (v === undefined ? "n/a" : `${v.toFixed(digits)} ${unit}`)
  const rows: Array<[string, string, string, string]> = [
    ["server-side apply, 1 client", fmt(moor.apply["1"], "/s"), fmt(real?.apply["1"], "/s"), ""],
    ["server-side apply, 8 clients", fmt(moor.apply["8"], "/s"), fmt(real?.apply["8"], "/s"), ">= 2000/s"],
    ["server-side apply, 32 clients", fmt(moor.apply["32"], "/s"), fmt(real?.apply["32"], "/s"), ""],
    [`list ${quick ? "2,000" : "10,000"} ConfigMaps`, fmt(moor.listMs, "ms", 1), fmt(real?.listMs, "ms", 1), "< 200 ms"],
    ["100 watchers see one change", fmt(moor.watchMs, "ms", 1), fmt(real?.watchMs, "ms", 1), ""],
    [`memory per ConfigMap beyond JSON (${quick ? "10,000" : "50,000"})`, fmt(moor.bytesPerObject?.overhead, "B"), "n/a", "< 2048 B"],
  ]
  const w = [44, 16, 22, 12]
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join(" ")
  console.log(line(["metric (medians)", "moor", "kube-apiserver 1.20", "target"]))
  for (const r of rows) console.log(line(r))
  if (realNote !== "") console.log(`reference: ${realNote}`)
  const file = resolve(here, "../results/kube-embedded.json")
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), quick, moor, reference: real ?? null, referenceNote: realNote || undefined }, null, 2)}\n`)
  console.log(`wrote ${file}`)
}

await main()
