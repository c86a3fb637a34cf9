// How users install moor: deploy/manifests (hub), deploy/agent (members), the
// Helm chart, the Dockerfile and docker-compose.yml. Docker and Helm are not
// on these machines, so the files are checked for what would break them:
// YAML that does not parse, objects the API server refuses, commands and
// flags moor does not have, references to files, images, hosts and ports
// that do not exist, and a chart that drifts from the plain manifests.
import { test } from "node:test"
import assert from "node:assert/strict"
import { execFile } from "node:child_process"
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs"
import { join } from "node:path"
import { parseArgs, promisify } from "node:util"
import { parse, parseAllDocuments, stringify } from "yaml"
import { runOptions, services } from "@moor/cli"
import { helmFuncs, TemplateSet } from "@moor/gotemplate"
import type { KubeObject } from "@moor/kube"
import { repoRoot, startCluster } from "../harness.ts"

const execFileAsync = promisify(execFile)
const deploy = join(repoRoot, "deploy")
const docs = (text: string): KubeObject[] =>
  parseAllDocuments(text).map((d) => {
    if (d.errors.length) throw d.errors[0]
    return d.toJS() as KubeObject
  }).filter((o) => o != null)
const readDocs = (file: string) => docs(readFileSync(file, "utf8"))
const key = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`
const byKey = (objs: KubeObject[]) => new Map(objs.map((o) => [key(o), o]))
const builtServices = new Set(services.filter((s) => s.build).map((s) => s.name))
const allServices = new Set(services.map((s) => s.name))
const kustomizeBuild = async (dir: string) => docs((await execFileAsync("kubectl", ["kustomize", dir], { maxBuffer: 64 << 20 })).stdout)
const clusterScoped = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"])

/** Checks one moor container: the image, the command and its flags, $(VAR)s defined. */
const checkMoorContainer = (where: string, c: any, serviceAccounts: Set<string>, sa: string) => {
  assert.match(c.image, /^ghcr\.io\/moor-gitops\/moor:\d+\.\d+\.\d+$/, where)
  for (const a of c.args as string[])
    for (const m of a.matchAll(/\$\((\w+)\)/g)) assert.ok((c.env ?? []).some((e: any) => e.name === m[1]), `${where}: $(${m[1]}) has no env`)
  assert.ok(serviceAccounts.has(sa), `${where}: ServiceAccount ${sa} is not in the manifests`)
  if (c.args[0] === "run") {
    const { values } = parseArgs({ args: c.args.slice(1), options: runOptions, strict: true, allowPositionals: false })
    return values
  }
  return undefined
}

test("deploy/manifests and deploy/agent: objects parse, run real moor services with flags `moor run` accepts", async () => {
  const hub = readdirSync(join(deploy, "manifests")).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
  const objs = hub.flatMap((f) => readDocs(join(deploy, "manifests", f)))
  const sas = new Set(objs.filter((o) => o.kind === "ServiceAccount").map((o) => o.metadata.name))
  for (const o of objs) {
    assert.ok(o.apiVersion && o.kind && o.metadata?.name, key(o))
    if (!clusterScoped.has(o.kind)) assert.equal(o.metadata.namespace, "flux-system", key(o))
  }
  // One Deployment per service of the architecture, each hosting exactly that service.
  const deployments = objs.filter((o) => o.kind === "Deployment")
  assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), [...allServices].map((s) => `moor-${s}`).sort())
  for (const d of deployments) {
    const pod = d.spec.template.spec
    const v = checkMoorContainer(d.metadata.name, pod.containers[0], sas, pod.serviceAccountName)!
    assert.equal(v.services, d.metadata.name.replace(/^moor-/, ""))
    assert.ok(allServices.has(v.services!), v.services)
    assert.equal(v.nats, "nats://nats.flux-system:4222")
    assert.deepEqual(d.spec.selector.matchLabels, Object.fromEntries(Object.entries(d.spec.template.metadata.labels).filter(([k]) => k !== "app.kubernetes.io/part-of")))
    assert.equal(pod.securityContext.runAsNonRoot, true)
  }
  // The NATS the services use is the Service here, on its client port, with JetStream on.
  const svc = objs.find((o) => o.kind === "Service" && o.metadata.name === "nats")!
  assert.ok(svc.spec.ports.some((p: any) => p.port === 4222))
  const sts = objs.find((o) => o.kind === "StatefulSet" && o.metadata.name === "nats")!
  assert.deepEqual(svc.spec.selector, sts.spec.selector.matchLabels)
  assert.ok(sts.spec.template.spec.containers[0].args.includes("-js"))
  // The receiver port the NetworkPolicy opens is the notify container's port.
  const webhooks = objs.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "allow-webhooks")!
  const notify = deployments.find((d) => d.metadata.name === "moor-notify")!
  assert.equal(webhooks.spec.ingress[0].ports[0].port, notify.spec.template.spec.containers[0].ports[0].containerPort)
  // The apply service gets cluster-admin, as Flux's kustomize-controller.
  const admin = objs.find((o) => o.kind === "ClusterRoleBinding" && o.metadata.name === "moor-cluster-reconciler") as any
  assert.equal(admin.roleRef.name, "cluster-admin")
  assert.ok(admin.subjects.some((s: any) => s.name === "moor-apply") && admin.subjects.some((s: any) => s.name === "moor-kustomize"))

  // kubectl kustomize builds the hub; it installs only the services moor can host today.
  const built = await kustomizeBuild(join(deploy, "manifests"))
  const builtDeployments = built.filter((o) => o.kind === "Deployment").map((d) => d.metadata.name.replace(/^moor-/, ""))
  assert.deepEqual(builtDeployments.sort(), [...builtServices].sort())
  assert.equal(built.filter((o) => o.kind === "CustomResourceDefinition").length, readdirSync(join(deploy, "crds")).filter((f) => f.includes("_")).length)

  // The agent: its own manifest set, no CRDs, cluster-admin on its cluster.
  const agent = await kustomizeBuild(join(deploy, "agent"))
  const agentSas = new Set(agent.filter((o) => o.kind === "ServiceAccount").map((o) => o.metadata.name))
  const ad = agent.find((o) => o.kind === "Deployment")!
  checkMoorContainer("moor-agent", ad.spec.template.spec.containers[0], agentSas, ad.spec.template.spec.serviceAccountName)
  assert.equal(ad.spec.template.spec.containers[0].args[0], "agent")
  assert.ok(!agent.some((o) => o.kind === "CustomResourceDefinition"))
})

/** Renders deploy/chart/moor as `helm template` would, with @moor/gotemplate. */
const renderChart = (overrides: Record<string, any>): KubeObject[] => {
  const dir = join(deploy, "chart", "moor")
  const chart = parse(readFileSync(join(dir, "Chart.yaml"), "utf8"))
  const values = parse(readFileSync(join(dir, "values.yaml"), "utf8"))
  const merge = (a: any, b: any): any =>
    b && typeof b === "object" && !Array.isArray(b) ? Object.fromEntries([...new Set([...Object.keys(a ?? {}), ...Object.keys(b)])].map((k) => [k, k in b ? merge(a?.[k], b[k]) : a[k]])) : b
  const set = new TemplateSet({ funcs: helmFuncs, missingKey: "zero" })
  const files = readdirSync(join(dir, "templates")).sort()
  for (const f of files) set.parse(`moor/templates/${f}`, readFileSync(join(dir, "templates", f), "utf8"))
  const data = {
    Values: merge(values, overrides),
    Release: { Name: "moor", Namespace: "flux-system", Service: "Helm", IsInstall: true },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
  }
  const out = files.filter((f) => !f.startsWith("_")).flatMap((f) => docs(set.execute(`moor/templates/${f}`, data)))
  // Helm installs crds/ before the templates; its files must be the CRDs of deploy/crds.
  for (const f of readdirSync(join(dir, "crds"))) assert.equal(realpathSync(join(dir, "crds", f)), join(deploy, "crds", f))
  return [...out, ...readdirSync(join(dir, "crds")).flatMap((f) => readDocs(join(dir, "crds", f)))]
}

test("the Helm chart renders the objects of deploy/manifests, and its values switch services", async () => {
  // Defaults (+ the Namespace, which `helm install --create-namespace` makes otherwise) = kustomization.yaml.
  const hub = await kustomizeBuild(join(deploy, "manifests"))
  const rendered = renderChart({ createNamespace: true })
  assert.deepEqual([...byKey(rendered).keys()].sort(), [...byKey(hub).keys()].sort())
  const want = byKey(hub)
  for (const [k, o] of byKey(rendered)) assert.deepEqual(o, want.get(k), k)

  // Every service on = every Deployment file, object for object.
  const all = readdirSync(join(deploy, "manifests")).filter((f) => f.startsWith("moor-")).flatMap((f) => readDocs(join(deploy, "manifests", f)))
  const on = renderChart({ services: Object.fromEntries([...allServices].map((s) => [s, { enabled: true }])) })
  const onByKey = byKey(on)
  for (const o of all) assert.deepEqual(onByKey.get(key(o)), o, key(o))

  // Values: image, replicas, resources, NATS url, no bundled NATS, no NetworkPolicy.
  const custom = renderChart({
    image: { repository: "registry.example/moor", tag: "9.9.9" },
    services: { source: { replicas: 3, resources: { limits: { memory: "2Gi" } } } },
    nats: { url: "nats://nats.example:4222", deploy: false },
    networkPolicy: { enabled: false },
  })
  const src = custom.find((o) => o.kind === "Deployment" && o.metadata.name === "moor-source")!
  assert.equal(src.spec.replicas, 3)
  const c = src.spec.template.spec.containers[0]
  assert.equal(c.image, "registry.example/moor:9.9.9")
  assert.deepEqual(c.resources, { limits: { memory: "2Gi" } })
  assert.equal(c.args[c.args.indexOf("--nats") + 1], "nats://nats.example:4222")
  assert.ok(!custom.some((o) => o.kind === "StatefulSet" || o.kind === "NetworkPolicy"))
})

test("deploy/manifests and deploy/agent pass a server-side dry-run once the CRDs are installed", { timeout: 120_000 }, async (t) => {
  const c = await startCluster(t)
  // The embedded API server does not serve networking.k8s.io NetworkPolicy (it
  // has no schema for it yet): those objects are checked by the structure test
  // only; every other object goes through the server's validation.
  const served = (o: KubeObject) => o.kind !== "NetworkPolicy"
  const dryRun = (objs: KubeObject[]) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile("kubectl", ["--kubeconfig", c.kubeconfig, "apply", "--dry-run=server", "--server-side", "--field-manager=moor-test", "-f", "-"], { maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      )
      child.stdin!.end(objs.map((o) => stringify(o)).join("---\n"))
    })
  // A dry-run does not create the namespace its objects go to: create it first.
  await c.kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system" } }, { fieldManager: "test" })
  for (const dir of ["manifests", "agent"]) {
    const objs = (await kustomizeBuild(join(deploy, dir))).filter(served)
    const lines = (await dryRun(objs)).trim().split("\n")
    assert.equal(lines.length, objs.length, lines.join("\n"))
    for (const l of lines) assert.match(l, /serverside-applied \(server dry run\)$/, l)
  }
  // The server does refuse what is wrong: a Deployment whose selector does not match its pods.
  const bad = structuredClone(readDocs(join(deploy, "manifests", "moor-source.yaml"))[0]!)
  bad.spec.selector.matchLabels["app.kubernetes.io/component"] = "other"
  await assert.rejects(dryRun([bad]), /selector|match/i)
  // Nothing was written by the dry runs.
  await assert.rejects(execFileAsync("kubectl", ["--kubeconfig", c.kubeconfig, "get", "-n", "flux-system", "deployment", "moor-source"]), /NotFound/)
})

test("Dockerfile: Node 24, COPY sources exist, production install, `moor` entrypoint", () => {
  const text = readFileSync(join(repoRoot, "Dockerfile"), "utf8")
  const lines = text.split("\n").filter((l) => l.trim() && !l.startsWith("#"))
  assert.match(lines[0]!, /^FROM node:24[-\w.]*$/)
  const copies = lines.filter((l) => l.startsWith("COPY "))
  assert.ok(copies.length > 0)
  for (const l of copies) {
    const parts = l.replace(/^COPY\s+(--\S+\s+)*/, "").split(/\s+/)
    for (const src of parts.slice(0, -1)) assert.ok(existsSync(join(repoRoot, src)), `COPY source ${src} is missing`)
  }
  // Every workspace npm ci needs is copied (its package.json at least).
  const root = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"))
  const copied = copies.flatMap((l) => l.replace(/^COPY\s+/, "").split(/\s+/).slice(0, -1))
  for (const w of root.workspaces as string[]) {
    const top = w.replace(/\/\*$/, "")
    assert.ok(copied.some((s) => s === top || s === `${top}/package.json`), `workspace ${w} is not copied`)
  }
  assert.match(text, /npm ci --omit=dev/)
  assert.match(text, /ENTRYPOINT \["moor"\]/)
  const link = text.match(/ln -s \/app\/(\S+) \/usr\/local\/bin\/moor/)
  assert.ok(link && existsSync(join(repoRoot, link[1]!)), "the moor link points at the CLI")
  assert.ok(statSync(join(repoRoot, link![1]!)).mode & 0o111, "the CLI is executable")
})

test("docker-compose.yml: services reference existing files, images, hosts and ports", () => {
  const compose = parse(readFileSync(join(repoRoot, "docker-compose.yml"), "utf8"), { merge: true })
  const svcs = compose.services as Record<string, any>
  const volumes = new Set(Object.keys(compose.volumes ?? {}))
  const deployImage = readDocs(join(deploy, "manifests", "moor-source.yaml"))[0]!.spec.template.spec.containers[0].image
  for (const want of ["nats", "k0s", "forgejo", "registry"]) assert.ok(svcs[want], `no ${want} service`)
  for (const [name, s] of Object.entries(svcs)) {
    assert.ok(s.image || s.build, `${name}: no image or build`)
    if (s.build) assert.ok(existsSync(join(repoRoot, typeof s.build === "string" ? s.build : s.build.context, "Dockerfile")), `${name}: no Dockerfile`)
    for (const v of s.volumes ?? []) {
      const src = String(v).split(":")[0]!
      if (src.startsWith(".") || src.startsWith("/")) assert.ok(existsSync(join(repoRoot, src)), `${name}: bind mount ${src} is missing`)
      else assert.ok(volumes.has(src), `${name}: volume ${src} is not declared`)
    }
    for (const d of Object.keys(s.depends_on ?? {})) assert.ok(svcs[d], `${name}: depends on unknown ${d}`)
    for (const p of s.ports ?? []) assert.match(String(p), /^\d+:\d+$/, `${name}: port ${p}`)
  }
  // NATS with JetStream and a health check on it.
  assert.ok(svcs.nats.command.includes("-js"))
  assert.ok(svcs.nats.ports.includes("4222:4222"))
  // Every moor service: the image the manifests use, `moor run` flags, a reachable NATS and kubeconfig.
  const moors = Object.entries(svcs).filter(([n]) => n.startsWith("moor-"))
  assert.deepEqual(moors.map(([n]) => n.replace(/^moor-/, "")).sort(), [...allServices].sort())
  const writesKubeconfig = svcs.kubeconfig.command.join(" ").includes("> /kube/config")
  assert.ok(writesKubeconfig, "the kubeconfig service writes /kube/config")
  for (const [name, s] of moors) {
    assert.equal(s.image, deployImage, name)
    assert.equal(s.command[0], "run", name)
    const { values } = parseArgs({ args: s.command.slice(1), options: runOptions, strict: true, allowPositionals: false })
    assert.equal(values.services, name.replace(/^moor-/, ""))
    // Services moor cannot host yet stay out of `docker compose up` (profile "unbuilt").
    assert.equal(!s.profiles, builtServices.has(values.services!), `${name}: profiles`)
    const nats = new URL(values.nats!)
    assert.ok(svcs[nats.hostname] && svcs[nats.hostname].command.includes("-js"), `${name}: NATS host ${nats.hostname}`)
    assert.ok(svcs[nats.hostname].ports.some((p: string) => p.endsWith(`:${nats.port}`)), `${name}: NATS port ${nats.port}`)
    assert.ok(s.volumes.some((v: string) => values.kubeconfig!.startsWith(v.split(":")[1]! + "/")), `${name}: ${values.kubeconfig} is not mounted`)
    assert.ok(s.depends_on.nats && s.depends_on.crds, name)
  }
  // The CRDs the crds service applies are deploy/crds, through its bind mount.
  const crdsArg = svcs.crds.command[svcs.crds.command.indexOf("-k") + 1] as string
  const mount = (svcs.crds.volumes as string[]).map((v) => v.split(":")).find(([, target]) => crdsArg.startsWith(target + "/"))!
  assert.ok(existsSync(join(repoRoot, mount[0]!, crdsArg.slice(mount[1]!.length), "kustomization.yaml")), crdsArg)
})
