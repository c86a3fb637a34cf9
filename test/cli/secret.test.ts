// `moor secret`: one age key per cluster, secrets encrypted to several recipients.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { parse } from "yaml"
import { repoRoot, startCluster, tempDir } from "../harness.ts"

const bin = join(repoRoot, "services", "cli", "bin", "moor.js")
const moor = (args: string[], cwd?: string) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const c = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: "1" }, ...(cwd ? { cwd } : {}) })
    let out = ""
    let err = ""
    c.stdout.on("data", (d) => (out += d))
    c.stderr.on("data", (d) => (err += d))
    c.on("exit", (code) => resolve({ code, out, err }))
  })

const secretYaml = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: apps
type: Opaque
stringData:
  password: hunter2-plain-value
  "10": numeric-key-value
`

test("age-keygen, encrypt to two recipients, decrypt with either, rotate, wrong key", { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t)
  const keyA = join(dir, "cluster-a.agekey")
  const keyAdmin = join(dir, "admin.agekey")
  const keyNew = join(dir, "new.agekey")
  const recipient = async (file: string, cluster: string) => {
    const r = await moor(["secret", "age-keygen", "--cluster", cluster, "-o", file])
    assert.equal(r.code, 0, r.err)
    assert.equal(r.out, "", "the identity goes to the file, not the terminal")
    assert.match(readFileSync(file, "utf8"), /^# cluster: .+\n# created: .+\n# public key: age1[a-z0-9]+\nAGE-SECRET-KEY-1[A-Z0-9]+\n$/)
    return /public key: (age1[a-z0-9]+)/.exec(r.err)![1]!
  }
  const a = await recipient(keyA, "a")
  const admin = await recipient(keyAdmin, "admin")
  const fresh = await recipient(keyNew, "b")

  const plain = join(dir, "secret.yaml")
  writeFileSync(plain, secretYaml)
  let r = await moor(["secret", "encrypt", plain, "--age", `${a},${admin}`, "-i"])
  assert.equal(r.code, 0, r.err)
  const enc = readFileSync(plain, "utf8")
  assert.ok(!enc.includes("hunter2-plain-value") && !enc.includes("numeric-key-value"))
  assert.match(enc, /password: ENC\[AES256_GCM,/)
  assert.match(enc, /\nsops:\n/, "the sops metadata block")
  assert.equal((parse(enc) as { sops: { age: unknown[] } }).sops.age.length, 2, "the data key is wrapped for both recipients")
  for (const key of [keyA, keyAdmin]) {
    r = await moor(["secret", "decrypt", plain, "--identity", key])
    assert.equal(r.code, 0, r.err)
    assert.equal(r.out, secretYaml, "key order (\"10\" stays after password), comments and types survive")
  }
  // Wrong key: exit 1, names the recipients (public), never a value.
  r = await moor(["secret", "decrypt", plain, "--identity", keyNew])
  assert.equal(r.code, 1)
  assert.match(r.err, new RegExp(a))
  assert.ok(!r.err.includes("hunter2") && !r.err.includes("AGE-SECRET-KEY"))
  // Rotate: add a recipient without touching the values.
  r = await moor(["secret", "rotate", plain, "--add-age", fresh, "--identity", keyAdmin, "-o", join(dir, "rotated.yaml")])
  assert.equal(r.code, 0, r.err)
  const rotated = readFileSync(join(dir, "rotated.yaml"), "utf8")
  const valueOf = (y: string) => (parse(y) as { stringData: { password: string } }).stringData.password
  assert.equal(valueOf(rotated), valueOf(enc), "the encrypted value is untouched")
  r = await moor(["secret", "decrypt", join(dir, "rotated.yaml"), "--identity", keyNew])
  assert.equal(r.code, 0, r.err)
  assert.equal(r.out, secretYaml)

  // Recipients from .sops.yaml creation rules.
  writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - path_regex: clusters/a/.*\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    age: ${a},${admin}\n`)
  const { mkdirSync } = await import("node:fs")
  mkdirSync(join(dir, "clusters", "a"), { recursive: true })
  writeFileSync(join(dir, "clusters", "a", "s.yaml"), secretYaml)
  r = await moor(["secret", "encrypt", join(dir, "clusters", "a", "s.yaml")])
  assert.equal(r.code, 0, r.err)
  assert.match(r.out, /encrypted_regex: \^\(data\|stringData\)\$/)
  assert.ok(!r.out.includes("hunter2"))
  r = await moor(["secret", "encrypt", plain.replace("secret.yaml", "nowhere.yaml")])
  assert.equal(r.code, 1)
})

test("age-keygen --apply stores the cluster's identity as flux-system/sops-age", { timeout: 60_000 }, async (t) => {
  const c = await startCluster(t)
  const r = await moor(["secret", "age-keygen", "--cluster", "hub", "--apply", "--kubeconfig", c.kubeconfig])
  assert.equal(r.code, 0, r.err)
  assert.equal(r.out, "", "with --apply the identity is not printed")
  const secrets = await c.kube.resource("v1", "Secret")
  const s = await c.kube.get(secrets, "flux-system", "sops-age")
  const key = Buffer.from((s.data as Record<string, string>)["age.agekey"]!, "base64").toString()
  const pub = /public key: (age1[a-z0-9]+)/.exec(r.err)![1]!
  assert.match(key, new RegExp(`# public key: ${pub}\\nAGE-SECRET-KEY-1`))
})
