import assert from "node:assert/strict"
import { test } from "node:test"
import { fluxBuild, type FluxSpec, KustomizeError, memoryFs } from "./index.ts"

const cm = (name: string, extra = "") => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}data:\n  k: v\n`
const deploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.25
        envFrom: [{configMapRef: {name: settings}}]
`

const ids = (objs: Array<Record<string, any>>) => objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`)

const table: Array<{ name: string; files: Record<string, string>; path: string; spec?: FluxSpec; want: string[] | RegExp; check?: (o: any[]) => void }> = [
  {
    name: "no kustomization.yaml: every YAML file under the path, recursively, in kustomize order",
    files: { "apps/web/deploy.yaml": deploy, "apps/web/cm.yml": cm("settings"), "apps/z/nested/cm.yaml": cm("other"), "apps/README.md": "# no", "apps/.ci/pipeline.yml": "stages: [x]\n" },
    path: "apps",
    want: ["ConfigMap//other", "ConfigMap//settings", "Deployment//web"],
  },
  {
    name: "a subdirectory with its own kustomization is built as such",
    files: { "apps/a.yaml": cm("a"), "apps/sub/kustomization.yaml": "namePrefix: sub-\nresources: [b.yaml]\n", "apps/sub/b.yaml": cm("b"), "apps/sub/ignored.yaml": cm("ignored") },
    path: "apps",
    want: ["ConfigMap//a", "ConfigMap//sub-b"],
  },
  {
    name: "an existing kustomization.yaml is used as is",
    files: { "k/kustomization.yaml": "resources: [a.yaml]\n", "k/a.yaml": cm("a"), "k/b.yaml": cm("b") },
    path: "./k",
    want: ["ConfigMap//a"],
  },
  {
    name: "targetNamespace, namePrefix and nameSuffix, references renamed",
    files: { "deploy.yaml": deploy, "cm.yaml": cm("settings") },
    path: "",
    spec: { targetNamespace: "team", namePrefix: "p-", nameSuffix: "-s" },
    want: ["ConfigMap/team/p-settings-s", "Deployment/team/p-web-s"],
    check: (o) => assert.equal(o[1].spec.template.spec.containers[0].envFrom[0].configMapRef.name, "p-settings-s"),
  },
  {
    name: "commonMetadata labels do not touch selectors; images and patches apply",
    files: { "deploy.yaml": deploy },
    path: ".",
    spec: {
      commonMetadata: { labels: { owner: "ops" }, annotations: { note: "x" } },
      images: [{ name: "nginx", newTag: "1.27" }],
      patches: [{ patch: "- op: add\n  path: /spec/replicas\n  value: 2\n", target: { kind: "Deployment" } }],
    },
    want: ["Deployment//web"],
    check: (o) => {
      assert.deepEqual(o[0].metadata.labels, { owner: "ops" })
      assert.deepEqual(o[0].metadata.annotations, { note: "x" })
      assert.equal(o[0].spec.template.metadata.annotations, undefined)
      assert.deepEqual(o[0].spec.selector.matchLabels, { app: "web" })
      assert.equal(o[0].spec.template.spec.containers[0].image, "nginx:1.27")
      assert.equal(o[0].spec.replicas, 2)
    },
  },
  {
    name: "an existing kustomization gets the spec merged in: targetNamespace wins, images by name replaced",
    files: { "kustomization.yaml": "namespace: mine\nimages:\n- {name: nginx, newTag: '1.0'}\nresources: [d.yaml]\n", "d.yaml": deploy },
    path: "",
    spec: { targetNamespace: "theirs", images: [{ name: "nginx", newName: "mirror/nginx" }] },
    want: ["Deployment/theirs/web"],
    check: (o) => assert.equal(o[0].spec.template.spec.containers[0].image, "mirror/nginx:1.25"),
  },
  { name: "a YAML file that is not Kubernetes objects fails, naming it", files: { "apps/a.yaml": cm("a"), "apps/values.yaml": "replicas: 3\n" }, path: "apps", want: /apps\/values.yaml: failed to decode Kubernetes YAML/ },
  { name: "a missing path is an error naming it", files: { "a.yaml": cm("a") }, path: "nope", want: /nope: kustomization path not found/ },
  { name: "a remote base is refused", files: { "kustomization.yaml": "resources: [https://example.com/x.yaml]\n" }, path: "", want: /remote resource .* is not supported/ },
]

for (const c of table) {
  test(`fluxBuild: ${c.name}`, () => {
    const fs = memoryFs(c.files)
    if (c.want instanceof RegExp) {
      assert.throws(() => fluxBuild(fs, c.path, c.spec), (e: unknown) => e instanceof KustomizeError && (c.want as RegExp).test(e.message))
      return
    }
    const out = fluxBuild(fs, c.path, c.spec).resources
    assert.deepEqual(ids(out), c.want)
    c.check?.(out)
  })
}

test("diskFs: a symbolic link out of the root reads as missing", async (t) => {
  const { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } = await import("node:fs")
  const { tmpdir } = await import("node:os")
  const { join } = await import("node:path")
  const { diskFs } = await import("./index.ts")
  const base = mkdtempSync(join(tmpdir(), "kfs-"))
  t.after(() => rmSync(base, { recursive: true, force: true }))
  mkdirSync(join(base, "root"))
  writeFileSync(join(base, "secret.yaml"), cm("outside"))
  writeFileSync(join(base, "root", "a.yaml"), cm("inside"))
  symlinkSync(join(base, "secret.yaml"), join(base, "root", "link.yaml"))
  const fs = diskFs(join(base, "root"))
  assert.equal(fs.readFile("link.yaml"), undefined)
  assert.equal(fs.readFile("../secret.yaml"), undefined)
  assert.match(fs.readFile("a.yaml") ?? "", /inside/)
})
