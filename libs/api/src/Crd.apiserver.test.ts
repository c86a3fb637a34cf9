// The real proof for deploy/crds: a Kubernetes 1.20 API server (built by
// /work/shared/tools/kube-real) installs the CRDs, stores the fixtures,
// applies the same defaults as the decoders and rejects a wrong field type at
// its path. Skipped (with the reason) when kube-real is not built; CI builds it.
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { test } from "node:test"
import { Result } from "effect"
import { kubeRealBinaries, startKubeReal } from "@moor/testing"
import { allFixtures } from "./__fixtures__/load.ts"
import { allKinds, decodeObject, kindOf } from "./Registry.ts"

const available = kubeRealBinaries() !== undefined
const crdDir = join(import.meta.dirname, "../../../deploy/crds")

test(
  "a Kubernetes 1.20 API server accepts the CRDs and agrees with the decoders",
  { skip: available ? false : "kube-real is not built (../shared/tools/kube-real/build.sh)", timeout: 180_000 },
  async (t) => {
    const real = await startKubeReal({ controllerManager: false })
    t.after(() => real.stop())
    const kubeconfig = real.kubeconfig
    const kubectl = (args: ReadonlyArray<string>, input?: string) =>
      spawnSync("kubectl", ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8", input })
    const must = (args: ReadonlyArray<string>, input?: string): string => {
      const r = kubectl(args, input)
      assert.equal(r.status, 0, `kubectl ${args.join(" ")}: ${r.stderr}`)
      return r.stdout
    }

    // The CRDs install through their kustomization.yaml and become Established.
    must(["apply", "-k", crdDir])
    must(["wait", "--for", "condition=established", "--timeout=60s", "crd", ...allKinds.map((k) => `${k.plural}.${k.group}`)])
    for (const ns of ["flux-system", "apps"]) must(["create", "namespace", ns])

    // Every fixture is stored (the API server drops status on create), then
    // read back: the stored object decodes, with the server's defaults.
    for (const { file, index, object } of allFixtures()) {
      const { status: _status, ...manifest } = object
      let r = kubectl(["create", "-f", "-"], JSON.stringify(manifest))
      // Right after a CRD is Established the endpoint may briefly answer 404.
      for (let i = 0; r.status !== 0 && /NotFound|the server could not find/.test(r.stderr) && i < 20; i++) {
        await new Promise((res) => setTimeout(res, 250))
        r = kubectl(["create", "-f", "-"], JSON.stringify(manifest))
      }
      assert.equal(r.status, 0, `${file}#${index}: ${r.stderr}`)
      const info = kindOf(object)!
      const stored = JSON.parse(must(["get", `${info.plural}.${info.group}`, "-n", object.metadata.namespace, object.metadata.name, "-o", "json"]))
      const decoded = decodeObject(stored)
      assert.ok(Result.isSuccess(decoded), `${file}#${index}: ${Result.isFailure(decoded) ? decoded.failure.message : ""}`)
      if (info.statusSubresource) assert.deepEqual(stored.status, { observedGeneration: -1 }, `${file}#${index} status default`)
    }

    // Server-side defaults equal the decoder's.
    const git = JSON.parse(must(["get", "gitrepositories.source.toolkit.fluxcd.io", "-n", "flux-system", "podinfo", "-o", "json"]))
    assert.equal(git.spec.timeout, "60s")
    const hr = JSON.parse(must(["get", "hr", "-n", "apps", "podinfo-oci", "-o", "json"]))
    assert.equal(hr.spec.uninstall.deletionPropagation, "background")
    assert.equal(hr.spec.kubeConfig.provider, "gcp")
    const imgrepo = JSON.parse(must(["get", "imagerepo", "-n", "flux-system", "podinfo", "-o", "json"]))
    assert.equal(imgrepo.spec.provider, "generic")

    // Short names and printer columns work.
    assert.match(must(["get", "gitrepo", "-n", "flux-system"]), /^NAME\s+URL\s+AGE\s+READY\s+STATUS/)
    assert.match(must(["get", "ks", "-n", "flux-system"]), /^NAME\s+AGE\s+READY\s+STATUS/)

    // A wrong field type is rejected by the server at the same path.
    const bad = { ...allFixtures().find((f) => f.file === "gitrepository.yaml")!.object, status: undefined }
    bad.metadata = { name: "bad", namespace: "flux-system" }
    bad.spec = { ...bad.spec, interval: 5 }
    const rejected = kubectl(["create", "-f", "-"], JSON.stringify(bad))
    assert.notEqual(rejected.status, 0)
    assert.match(rejected.stderr, /spec\.interval: Invalid value: "integer": spec\.interval in body must be of type string/)
    // And so is a duration Flux's pattern refuses.
    bad.spec = { ...bad.spec, interval: "1d" }
    assert.match(kubectl(["create", "-f", "-"], JSON.stringify(bad)).stderr, /spec\.interval in body should match/)
  },
)
