// bench/kustomize: moor's kustomize build against `kubectl kustomize` (kustomize v5.5) in the
// same run, on the same trees, outputs first checked byte-identical:
// - the differential corpus (every non-error case): total wall time per pass;
// - one kustomization of 2,000 objects (1,000 Deployments + 1,000 ConfigMaps, prefix,
//   namespace, labels, a generator and a JSON patch on every Deployment);
// - 1,000 Kustomizations of 10 objects (Flux's shape: fluxBuild with targetNamespace):
//   moor builds all 1,000; kubectl is timed on 20 and the figure scaled to 1,000 (said so).
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { build, diskFs, fluxBuild, memoryFs, toYaml } from "@moor/kustomize"
import { median, report, type Row } from "../report.ts"

const casesDir = fileURLToPath(new URL("../../libs/kustomize/src/__fixtures__/cases", import.meta.url))
const kubectl = (dir: string): { ms: number; out: string } => {
  const t0 = performance.now()
  const r = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8", maxBuffer: 1 << 28 })
  const ms = performance.now() - t0
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir}: ${r.stderr}`)
  return { ms, out: r.stdout }
}
const ours = (dir: string): string => toYaml(build(diskFs(dir), ".").resources)
const timeIt = (rounds: number, f: () => void): number => {
  const xs: number[] = []
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    f()
    xs.push(performance.now() - t0)
  }
  return median(xs)
}

const rows: Row[] = []

// 1. the corpus
const cases = readdirSync(casesDir).filter((c) => !c.startsWith("error-")).sort()
let refTotal = 0
for (const c of cases) {
  const r = kubectl(join(casesDir, c))
  assert.equal(ours(join(casesDir, c)), r.out, c)
  refTotal += r.ms
}
for (let i = 0; i < 3; i++) for (const c of cases) ours(join(casesDir, c))
const moorCorpus = timeIt(5, () => {
  for (const c of cases) ours(join(casesDir, c))
})
rows.push({ metric: `corpus: ${cases.length} cases, one pass`, moor: moorCorpus, reference: refTotal, referenceName: "kubectl kustomize", unit: "ms" })

// 2. 2,000 objects in one kustomization
const tmp = mkdtempSync(join(tmpdir(), "bench-kustomize-"))
try {
  const docs: string[] = []
  for (let i = 0; i < 1000; i++) {
    docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  k: v${i}\n`)
    docs.push(
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d${i}\nspec:\n  selector: {matchLabels: {app: d${i}}}\n  template:\n    metadata: {labels: {app: d${i}}}\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.25\n        envFrom: [{configMapRef: {name: c${i}}}, {configMapRef: {name: gen}}]\n`,
    )
  }
  const big = join(tmp, "big")
  mkdirSync(big)
  writeFileSync(join(big, "all.yaml"), docs.join("---\n"))
  writeFileSync(
    join(big, "kustomization.yaml"),
    "namePrefix: p-\nnamespace: ns\ncommonLabels: {team: a}\nresources: [all.yaml]\nconfigMapGenerator:\n- name: gen\n  literals: [a=1]\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: add\n      path: /spec/replicas\n      value: 2\nimages:\n- {name: nginx, newTag: '1.27'}\n",
  )
  const refBig = kubectl(big)
  assert.equal(ours(big), refBig.out, "2,000 objects")
  ours(big)
  rows.push({ metric: "2,000 objects, one kustomization (build + YAML)", moor: timeIt(5, () => ours(big)), reference: refBig.ms, referenceName: "kubectl kustomize", unit: "ms" })

  // 3. 1,000 Kustomizations of 10 objects
  const small: Record<string, string> = {
    "kustomization.yaml": "commonLabels: {app: web}\nresources: [all.yaml]\nconfigMapGenerator:\n- name: settings\n  literals: [a=1]\n",
    "all.yaml": [
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: nginx, envFrom: [{configMapRef: {name: settings}}]}]\n`,
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{port: 80}]\n`,
      ...Array.from({ length: 7 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  k: v\n`),
    ].join("---\n"),
  }
  const smallDir = join(tmp, "small")
  mkdirSync(smallDir)
  for (const [f, t] of Object.entries(small)) writeFileSync(join(smallDir, f), t)
  const fs = memoryFs(small)
  assert.equal(toYaml(build(fs, "").resources), kubectl(smallDir).out, "10 objects")
  const t0 = performance.now()
  for (let i = 0; i < 1000; i++) toYaml(fluxBuild(fs, "", { targetNamespace: `ns${i}` }).resources)
  const moorFleet = performance.now() - t0
  const t1 = performance.now()
  for (let i = 0; i < 20; i++) kubectl(smallDir)
  const kubectlFleet = ((performance.now() - t1) / 20) * 1000
  rows.push({
    metric: "1,000 Kustomizations x 10 objects (build + YAML)",
    moor: moorFleet,
    reference: kubectlFleet,
    referenceName: "kubectl kustomize, 20 runs x 50",
    unit: "ms",
    target: "< 60,000 ms total",
    met: moorFleet < 60_000,
  })
} finally {
  rmSync(tmp, { recursive: true, force: true })
}

report("kustomize", rows)
