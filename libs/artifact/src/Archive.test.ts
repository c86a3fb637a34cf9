import { test } from "node:test"
import assert from "node:assert/strict"
import { execFileSync } from "node:child_process"
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { buildArchive, extractArchive, readArchive, type ArchiveFile } from "./index.ts"

const f = (path: string, text: string, kind: ArchiveFile["kind"] = "file"): ArchiveFile => ({ path, kind, data: Buffer.from(text) })
const longDir = "a".repeat(60) + "/" + "b".repeat(60) + "/" + "c".repeat(60)
const tree = [
  f("deploy/app.yaml", "kind: ConfigMap\n"),
  f("README.md", "hello\n"),
  f("bin/run.sh", "#!/bin/sh\n", "executable"),
  f("latest.yaml", "deploy/app.yaml", "symlink"),
  f(`${longDir}/${"d".repeat(120)}.yaml`, "deep: true\n"),
]

test("the same tree gives the same bytes and digest, whatever the input order", async () => {
  const a = await buildArchive(tree)
  const b = await buildArchive([...tree].reverse())
  assert.equal(a.digest, b.digest)
  assert.match(a.digest, /^sha256:[0-9a-f]{64}$/)
  assert.ok(a.bytes.equals(b.bytes))
  assert.equal(a.size, a.bytes.length)
  assert.equal(a.files, 5)
  assert.equal(a.bytes.readUInt32LE(4), 0, "no timestamp in the gzip header")
  const changed = await buildArchive([...tree.slice(1), f("deploy/app.yaml", "kind: Secret\n")])
  assert.notEqual(changed.digest, a.digest, "a content change changes the digest")
})

test("GNU tar reads it: sorted entries, normalised modes and owners, long paths", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "moor-artifact-"))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, "a.tgz"), (await buildArchive(tree)).bytes)
  const listing = execFileSync("tar", ["-tzvf", join(dir, "a.tgz"), "--numeric-owner"]).toString().trim().split("\n")
  assert.equal(listing.length, 5)
  assert.match(listing[0]!, /^-rw-r--r-- 0\/0 .* 1970-01-01 00:00 README\.md$/)
  assert.match(listing.find((l) => l.includes("run.sh"))!, /^-rwxr-xr-x 0\/0 /)
  assert.match(listing.find((l) => l.includes("latest.yaml"))!, /^lrwxrwxrwx 0\/0 .* latest\.yaml -> deploy\/app\.yaml$/)
  const names = execFileSync("tar", ["-tzf", join(dir, "a.tgz")]).toString().trim().split("\n")
  assert.deepEqual(names, [...names].sort())
  assert.ok(names.includes(`${longDir}/${"d".repeat(120)}.yaml`), "a path over 100 bytes survives (ustar prefix or PAX)")
  mkdirSync(join(dir, "x"))
  execFileSync("tar", ["-xzf", join(dir, "a.tgz"), "-C", join(dir, "x")])
  assert.equal(readFileSync(join(dir, "x", longDir, `${"d".repeat(120)}.yaml`), "utf8"), "deep: true\n")
})

test("extract round-trips files, modes and symlinks", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "moor-artifact-"))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const a = await buildArchive(tree)
  assert.equal(await extractArchive(a.bytes, join(dir, "out")), 5)
  assert.equal(readFileSync(join(dir, "out", "deploy", "app.yaml"), "utf8"), "kind: ConfigMap\n")
  assert.equal(lstatSync(join(dir, "out", "bin", "run.sh")).mode & 0o777, 0o755)
  assert.equal(readlinkSync(join(dir, "out", "latest.yaml")), "deploy/app.yaml")
  const again = await buildArchive(readArchive(a.bytes))
  assert.equal(again.digest, a.digest)
})

test("extract refuses paths escaping the directory", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "moor-artifact-"))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, "src", "inner"), { recursive: true })
  writeFileSync(join(dir, "src", "outside.txt"), "x")
  // GNU tar with -P keeps "../" in member names: the attack we must refuse
  const evil = execFileSync("tar", ["-czf", "-", "-P", "../outside.txt"], { cwd: join(dir, "src", "inner") })
  await assert.rejects(extractArchive(evil, join(dir, "out")), /unsafe path "\.\.\/outside\.txt"/)
  const abs = execFileSync("tar", ["-czf", "-", "-P", join(dir, "src", "outside.txt")])
  await assert.rejects(extractArchive(abs, join(dir, "out")), /unsafe path/)
  await assert.rejects(buildArchive([f("../x", "x")]), /unsafe path/)
  await assert.rejects(buildArchive([f("up", "../../etc", "symlink")]).then((a) => extractArchive(a.bytes, join(dir, "out2"))), /pointing outside/)
  await assert.rejects(
    buildArchive([f("l", "deploy", "symlink"), f("l/x", "x")]).then((a) => extractArchive(a.bytes, join(dir, "out3"))),
    /below the symlink l/,
  )
})
