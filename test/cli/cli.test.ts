// The moor command as a user runs it: help, version, usage errors, exit codes.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../../services/cli/bin/moor.js", import.meta.url))
const moor = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

test("moor --help lists the commands; every command has --help with an example", () => {
  const r = moor("--help")
  assert.equal(r.code, 0)
  assert.match(r.out, /Usage: moor <command>/)
  const names = [...r.out.matchAll(/^  (\S+(?: \S+)?)\s{2,}/gm)].map((m) => m[1]!)
  assert.ok(names.includes("run") && names.includes("version"), names.join(","))
  for (const n of names) {
    const h = moor(...n.split(" "), "--help")
    assert.equal(h.code, 0, n)
    assert.match(h.out, /Example:\n  moor /, n)
  }
})

test("moor version prints the version", () => {
  const r = moor("version")
  assert.equal(r.code, 0)
  assert.match(r.out, /^moor \d+\.\d+\.\d+ \(protocol v1, node \d+/)
})

test("usage errors exit 2 with one line and a hint; NO_COLOR leaves no escape codes", () => {
  for (const args of [["frobnicate"], ["run", "--bogus"], ["run", "--services", "nope"]]) {
    const r = moor(...args)
    assert.equal(r.code, 2, args.join(" "))
    assert.match(r.err, /^✗ .+\n  run 'moor/, args.join(" "))
    assert.doesNotMatch(r.err, /\x1b\[/)
  }
  assert.equal(moor().code, 2)
})

test("moor run says plainly that no service is built yet, and fails", () => {
  const r = moor("run", "--services", "helm")
  assert.equal(r.code, 1)
  assert.match(r.err, /service helm is not built yet/)
})

test("moor run with kustomize but no apply service says where bundles go", () => {
  const r = moor("run", "--services", "source,kustomize", "--kubeconfig", "/nonexistent/kubeconfig")
  assert.equal(r.code, 1)
  assert.match(r.err, /kustomize without apply: .*moor\.apply\.hub.*'moor run --services apply'/)
  assert.match(r.err, /kubeconfig \/nonexistent\/kubeconfig does not exist/)
})
