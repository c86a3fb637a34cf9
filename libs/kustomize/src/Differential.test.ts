// Differential test: every case under __fixtures__/cases is built by `kubectl kustomize`
// (kustomize v5.5) and by our build; the YAML streams must be byte-equal. Cases named
// error-* must fail in both, ours with a KustomizeError naming a file.
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { test } from "node:test"
import { build, diskFs, KustomizeError, toYaml } from "./index.ts"

const casesDir = join(import.meta.dirname, "__fixtures__", "cases")
const cases = readdirSync(casesDir).sort()
const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0

test("the corpus has at least 40 cases", () => assert.ok(cases.length >= 40, `${cases.length} cases`))

for (const name of cases) {
  test(`kubectl kustomize parity: ${name}`, { skip: hasKubectl ? false : "kubectl not installed" }, () => {
    const dir = join(casesDir, name)
    const ref = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8", timeout: 20_000 })
    let ours: string | KustomizeError
    try {
      ours = toYaml(build(diskFs(dir), ".").resources)
    } catch (e) {
      if (!(e instanceof KustomizeError)) throw e
      ours = e
    }
    if (name.startsWith("error-")) {
      assert.notEqual(ref.status, 0, "kubectl kustomize should fail on this case")
      assert.ok(ours instanceof KustomizeError, `we should fail too, got:\n${ours}`)
      assert.ok(ours.message.length > 10)
      return
    }
    assert.equal(ref.status, 0, ref.stderr)
    if (ours instanceof KustomizeError) assert.fail(`we fail where kubectl succeeds: ${ours.message}`)
    assert.equal(ours, ref.stdout)
  })
}

