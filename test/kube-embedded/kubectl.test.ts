// The embedded API server driven by the real kubectl binary (v1.32): what a user sees.
import assert from "node:assert/strict"
import { test } from "node:test"
import { embedded, eventually, kubectl, kubectlOk, kubectlStream, noKubectl } from "./helpers.ts"

if (noKubectl !== undefined) console.log(`# SKIP kubectl tests: ${noKubectl}`)
const opts = { skip: noKubectl ?? false }

const deployment = (replicas: number, image = "nginx:1.25") => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team-a, labels: {app: web}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports: [{containerPort: 80, protocol: TCP}]
`
const configMap = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: team-a}
data: {mode: fast, level: "3"}
`

test("kubectl: namespaces, server-side apply, get -o json, the four patch types, conflicts", opts, async (t) => {
  const s = await embedded(t)
  const kc = s.kubeconfigPath
  assert.match(await kubectlOk(kc, ["create", "namespace", "team-a"]), /namespace\/team-a created/)
  const nsTable = await kubectlOk(kc, ["get", "namespaces"])
  assert.match(nsTable, /^NAME\s+STATUS\s+AGE/m)
  assert.match(nsTable, /^team-a\s+Active\s+\d+s/m)

  const applied = await kubectlOk(kc, ["apply", "--server-side", "-f", "-"], `${deployment(2)}---\n${configMap}`)
  assert.match(applied, /deployment.apps\/web serverside-applied/)
  assert.match(applied, /configmap\/settings serverside-applied/)
  const dep = JSON.parse(await kubectlOk(kc, ["-n", "team-a", "get", "deployment", "web", "-o", "json", "--show-managed-fields"]))
  assert.equal(dep.spec.replicas, 2)
  assert.equal(dep.metadata.generation, 1)
  assert.match(dep.metadata.uid, /^[0-9a-f-]{36}$/)
  assert.equal(dep.spec.strategy.type, "RollingUpdate", "defaults are filled in")
  const mf = dep.metadata.managedFields
  assert.deepEqual(mf.map((e: { manager: string; operation: string }) => `${e.manager}/${e.operation}`), ["kubectl/Apply"])
  assert.deepEqual(Object.keys(mf[0].fieldsV1["f:spec"]["f:template"]["f:spec"]["f:containers"]), ['k:{"name":"nginx"}'])
  const cm = JSON.parse(await kubectlOk(kc, ["-n", "team-a", "get", "configmap", "settings", "-o", "json"]))
  assert.deepEqual(cm.data, { mode: "fast", level: "3" })

  // JSON patch, merge patch, strategic merge patch (containers merge by name), apply patch.
  await kubectlOk(kc, ["-n", "team-a", "patch", "configmap", "settings", "--type=json", "-p", '[{"op":"replace","path":"/data/mode","value":"slow"}]'])
  await kubectlOk(kc, ["-n", "team-a", "patch", "configmap", "settings", "--type=merge", "-p", '{"data":{"level":null,"extra":"x"}}'])
  assert.deepEqual(JSON.parse(await kubectlOk(kc, ["-n", "team-a", "get", "cm", "settings", "-o", "jsonpath={.data}"])), { mode: "slow", extra: "x" })
  await kubectlOk(kc, ["-n", "team-a", "patch", "deployment", "web", "--type=strategic", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}'])
  const names = await kubectlOk(kc, ["-n", "team-a", "get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[*].name}"])
  assert.equal(names, "sidecar nginx", "strategic merge keeps nginx and adds sidecar (first, as a real server does)")
  const gen = await kubectlOk(kc, ["-n", "team-a", "get", "deploy", "web", "-o", "jsonpath={.metadata.generation}"])
  assert.equal(gen, "2", "a spec change bumps generation")
  // (kubectl has no --type=apply: the apply patch is what `apply --server-side` sends.)
  await kubectlOk(kc, ["apply", "--server-side", "--field-manager=tuner", "-f", "-"], "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: team-a}\ndata: {tuned: \"yes\"}\n")
  assert.equal(await kubectlOk(kc, ["-n", "team-a", "get", "cm", "settings", "-o", "jsonpath={.data.tuned}"]), "yes")

  // Another manager changing replicas conflicts; kubectl shows it; --force-conflicts takes over.
  const other = deployment(5).replace("name: web,", "name: web,")
  const conflict = await kubectl(kc, ["apply", "--server-side", "--field-manager=ci", "-f", "-"], other)
  assert.notEqual(conflict.code, 0)
  assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas/)
  assert.match(conflict.stderr, /--force-conflicts/)
  await kubectlOk(kc, ["apply", "--server-side", "--field-manager=ci", "--force-conflicts", "-f", "-"], other)
  const after = JSON.parse(await kubectlOk(kc, ["-n", "team-a", "get", "deploy", "web", "-o", "json", "--show-managed-fields"]))
  assert.equal(after.spec.replicas, 5)
  const owners = (after.metadata.managedFields as Array<{ manager: string; fieldsV1: Record<string, any> }>)
    .filter((e) => e.fieldsV1["f:spec"]?.["f:replicas"] !== undefined)
    .map((e) => e.manager)
  assert.deepEqual(owners, ["ci"], "replicas now belongs to ci alone")

  // Dropping a field from an applier's config removes it when nobody else owns it.
  // (--force-conflicts: the json patch above made kubectl-patch the owner of .data.mode.)
  await kubectlOk(kc, ["apply", "--server-side", "--force-conflicts", "-f", "-"], configMap.replace('level: "3"', 'level: "3", extra2: "y"'))
  await kubectlOk(kc, ["apply", "--server-side", "-f", "-"], configMap)
  const data = JSON.parse(await kubectlOk(kc, ["-n", "team-a", "get", "cm", "settings", "-o", "jsonpath={.data}"]))
  assert.equal(data.extra2, undefined)
  assert.equal(data.tuned, "yes", "fields of another manager stay")

  // Client-side apply (three-way strategic merge computed by kubectl).
  await kubectlOk(kc, ["apply", "-f", "-"], configMap.replace("settings", "csa"))
  await kubectlOk(kc, ["apply", "-f", "-"], configMap.replace("settings", "csa").replace("mode: fast, ", ""))
  assert.deepEqual(JSON.parse(await kubectlOk(kc, ["-n", "team-a", "get", "cm", "csa", "-o", "jsonpath={.data}"])), { level: "3" })

  // Server-side dry-run catches a bad revision without writing.
  const bad = await kubectl(kc, ["apply", "--server-side", "--dry-run=server", "-f", "-"], deployment(2).replace("replicas: 2", 'replicas: "two"'))
  assert.notEqual(bad.code, 0)
  assert.match(bad.stderr, /spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer/)
  const dry = await kubectlOk(kc, ["create", "configmap", "ghost", "-n", "team-a", "--dry-run=server", "-o", "name"])
  assert.equal(dry.trim(), "configmap/ghost")
  assert.notEqual((await kubectl(kc, ["-n", "team-a", "get", "cm", "ghost"])).code, 0)
})

test("kubectl: CRD and a custom resource, printer columns, validation, deletion of the CRD", opts, async (t) => {
  const s = await embedded(t)
  const kc = s.kubeconfigPath
  await kubectlOk(kc, ["apply", "-f", "-"], `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, minimum: 1}
              color: {type: string, default: blue}
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
`)
  await kubectlOk(kc, ["wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=5s"])
  await kubectlOk(kc, ["apply", "--server-side", "-f", "-"], "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n")
  await kubectlOk(kc, ["patch", "widget", "w1", "--subresource=status", "--type=merge", "-p", '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}'])
  const table = await kubectlOk(kc, ["get", "wd"])
  assert.match(table, /^NAME\s+SIZE\s+READY$/m)
  assert.match(table, /^w1\s+3\s+True$/m)
  const w = JSON.parse(await kubectlOk(kc, ["get", "widget", "w1", "-o", "json"]))
  assert.equal(w.spec.color, "blue", "schema defaults applied")
  const bad = await kubectl(kc, ["apply", "--server-side", "-f", "-"], "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: 0}\n")
  assert.match(bad.stderr, /spec\.size: Invalid value: 0: spec\.size in body should be greater than or equal to 1/)
  await kubectlOk(kc, ["delete", "crd", "widgets.example.com"])
  const gone = await kubectl(kc, ["get", "widgets"])
  assert.notEqual(gone.code, 0)
  // kubectl's discovery cache may still know the type; either way the server says it is gone.
  assert.match(gone.stderr, /the server doesn't have a resource type "widgets"|the server could not find the requested resource/)
})

test("kubectl: wait for a simulated Deployment, a failing image, get --watch, delete with a finalizer", opts, async (t) => {
  const s = await embedded(t, { simulateWorkloads: { delayMs: 200 } })
  const kc = s.kubeconfigPath
  await kubectlOk(kc, ["create", "namespace", "team-a"])
  const watch = kubectlStream(t, kc, ["-n", "team-a", "get", "configmaps", "--watch", "--output-watch-events"])
  await kubectlOk(kc, ["apply", "--server-side", "-f", "-"], deployment(2))
  const waited = await kubectlOk(kc, ["-n", "team-a", "wait", "--for=condition=Available", "deployment/web", "--timeout=10s"])
  assert.match(waited, /deployment.apps\/web condition met/)
  assert.match(await kubectlOk(kc, ["-n", "team-a", "get", "deploy", "web"]), /^web\s+2\/2\s+2\s+2\s+/m)
  assert.match(await kubectlOk(kc, ["-n", "team-a", "rollout", "status", "deployment/web", "--timeout=5s"]), /successfully rolled out/)

  const failing = deployment(1, "nginx:fail").replaceAll("web", "broken").replace("replicas: 1", "replicas: 1\n  progressDeadlineSeconds: 1")
  await kubectlOk(kc, ["apply", "--server-side", "-f", "-"], failing)
  const rollout = await kubectl(kc, ["-n", "team-a", "rollout", "status", "deployment/broken", "--timeout=10s"])
  assert.notEqual(rollout.code, 0)
  assert.match(rollout.stderr, /exceeded its progress deadline/)

  await kubectlOk(kc, ["apply", "-f", "-"], configMap)
  await kubectlOk(kc, ["-n", "team-a", "patch", "cm", "settings", "--type=merge", "-p", '{"data":{"mode":"slow"}}'])
  await eventually(() => /MODIFIED\s+settings/.test(watch.output()), 10_000, "kubectl get --watch to show the change")
  assert.match(watch.output(), /ADDED\s+settings\s+2/)

  await kubectlOk(kc, ["-n", "team-a", "patch", "cm", "settings", "--type=merge", "-p", '{"metadata":{"finalizers":["example.com/hold"]}}'])
  await kubectlOk(kc, ["-n", "team-a", "delete", "cm", "settings", "--wait=false"])
  const held = JSON.parse(await kubectlOk(kc, ["-n", "team-a", "get", "cm", "settings", "-o", "json"]))
  assert.match(held.metadata.deletionTimestamp, /^\d{4}-\d{2}-\d{2}T/)
  await kubectlOk(kc, ["-n", "team-a", "patch", "cm", "settings", "--type=json", "-p", '[{"op":"remove","path":"/metadata/finalizers"}]'])
  await eventually(() => /DELETED\s+settings/.test(watch.output()), 10_000, "the watch to see the deletion")
  assert.notEqual((await kubectl(kc, ["-n", "team-a", "get", "cm", "settings"])).code, 0)
})

test("kubectl: impersonation is recorded in the audit", opts, async (t) => {
  const s = await embedded(t)
  await kubectlOk(s.kubeconfigPath, ["get", "configmaps", "--as=system:serviceaccount:default:deployer", "--as-group=team"])
  const seen = s.audit().filter((e) => e.impersonatedUser === "system:serviceaccount:default:deployer")
  assert.ok(seen.length > 0, "the request made as the service account is in the audit")
  assert.equal(seen.at(-1)!.verb, "list")
  assert.deepEqual(seen.at(-1)!.impersonatedGroups, ["team"])
})
