// .sops.yaml creation rules, format from path, and Secret manifests with
// encrypted entries (secretGenerator output) and the opt-out annotation.
import assert from "node:assert/strict"
import { test } from "node:test"
import {
  ageIdentitiesFromSecret,
  ageKeySecret,
  decrypt,
  decryptSecretManifest,
  detectEncryptedFormat,
  encrypt,
  encryptForPath,
  formatFromPath,
  generateAgeIdentity,
  parseSopsConfig,
  recipientsFor,
  recipientsOfIdentities,
  SopsError,
} from "./index.ts"

const a = await generateAgeIdentity()
const b = await generateAgeIdentity()

test("creation rules: first match wins, age as string or list, options carried", () => {
  const cfg = parseSopsConfig(`creation_rules:
  - path_regex: clusters/a/.*\\.yaml$
    encrypted_regex: ^(data|stringData)$
    age: ${a.recipient}, ${b.recipient}
  - path_regex: \\.env$
    age:
      - ${b.recipient}
    mac_only_encrypted: true
  - age: ${a.recipient}
`)
  const r1 = recipientsFor("clusters/a/secret.yaml", cfg)
  assert.deepEqual(r1?.age, [a.recipient, b.recipient])
  assert.equal(r1?.encryptedRegex, "^(data|stringData)$")
  assert.deepEqual(recipientsFor("app/.env", cfg)?.age, [b.recipient])
  assert.equal(recipientsFor("app/.env", cfg)?.macOnlyEncrypted, true)
  assert.deepEqual(recipientsFor("clusters/b/secret.yaml", cfg)?.age, [a.recipient])
  assert.equal(recipientsFor("x", parseSopsConfig("creation_rules: []\n")), undefined)
})

test("creation rules: bad input names the field", () => {
  const bad: Array<[string, RegExp]> = [
    ["creation_rules: {}\n", /creation_rules: expected a list/],
    ["creation_rules:\n  - age: not-a-key\n", /creation_rules\[0\]\.age: "not-a-key" is not an age recipient/],
    ["creation_rules:\n  - path_regex: \"(\"\n", /creation_rules\[0\]\.path_regex: invalid regular expression/],
    ["creation_rules:\n  - path_regex: 3\n", /creation_rules\[0\]\.path_regex: expected a string/],
    ["creation_rules: [\n", /invalid YAML at line/],
  ]
  for (const [text, re] of bad) {
    assert.throws(() => parseSopsConfig(text), (e: unknown) => e instanceof SopsError && e.reason === "InvalidConfig" && re.test(e.message))
  }
})

test("format from path as sops decides", () => {
  const cases: Array<[string, string]> = [
    ["a/b.yaml", "yaml"],
    ["b.YML", "yaml"],
    ["c.json", "json"],
    ["d.env", "dotenv"],
    [".env", "dotenv"],
    ["e.txt", "binary"],
    ["key", "binary"],
  ]
  for (const [p, f] of cases) assert.equal(formatFromPath(p), f, p)
})

test("age keygen: identity, recipient and key file agree", async () => {
  assert.match(a.identity, /^AGE-SECRET-KEY-1[0-9A-Z]+$/)
  assert.match(a.recipient, /^age1[0-9a-z]{58}$/)
  assert.ok(a.keyFile.includes(`# public key: ${a.recipient}\n${a.identity}\n`))
  assert.deepEqual(await recipientsOfIdentities(a.keyFile + b.keyFile), [a.recipient, b.recipient])
})

test("Secret manifests: encrypted data and stringData entries, opt-out annotation, other kinds", async () => {
  const env = await encrypt("USER=admin\nPASS=gen-secret-pass\n", "dotenv", [a.recipient])
  const json = await encrypt('{"auths": {"r.io": {"auth": "gen-secret-auth"}}}', "json", [a.recipient])
  const bin = await encrypt("gen-secret-file\n", "binary", [a.recipient])
  assert.equal(detectEncryptedFormat(env), "dotenv")
  assert.equal(detectEncryptedFormat(json), "json")
  assert.equal(detectEncryptedFormat("plain"), undefined)
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "gen", namespace: "apps" },
    data: {
      "app.env": Buffer.from(env).toString("base64"),
      ".dockerconfigjson": Buffer.from(json).toString("base64"),
      "file.txt": Buffer.from(bin).toString("base64"),
      plain: Buffer.from("not encrypted").toString("base64"),
    },
    stringData: { "inline.env": env },
  }
  const r = await decryptSecretManifest(secret, [a.keyFile])
  assert.equal(r.decrypted, true)
  const data = r.object["data"] as Record<string, string>
  const d = (k: string) => Buffer.from(data[k]!, "base64").toString()
  assert.equal(d("app.env"), "USER=admin\nPASS=gen-secret-pass\n")
  assert.deepEqual(JSON.parse(d(".dockerconfigjson")), { auths: { "r.io": { auth: "gen-secret-auth" } } })
  assert.equal(d("file.txt"), "gen-secret-file\n")
  assert.equal(d("plain"), "not encrypted")
  assert.equal((r.object["stringData"] as Record<string, string>)["inline.env"], "USER=admin\nPASS=gen-secret-pass\n")

  const disabled = { ...secret, metadata: { ...secret.metadata, annotations: { "kustomize.toolkit.fluxcd.io/decrypt": "Disabled" } } }
  assert.deepEqual(await decryptSecretManifest(disabled, [a.keyFile]), { object: disabled, decrypted: false })
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { "a.env": env } }
  assert.deepEqual(await decryptSecretManifest(cm, [a.keyFile]), { object: cm, decrypted: false })

  await assert.rejects(decryptSecretManifest(secret, [b.keyFile]), (e: unknown) => {
    assert.ok(e instanceof SopsError)
    assert.equal(e.reason, "NoMatchingIdentity")
    assert.match(e.message, /^Secret apps\/gen data\.app\.env: /)
    assert.ok(e.message.includes(a.recipient))
    assert.doesNotMatch(`${e.message}${e.stack}`, /gen-secret/)
    return true
  })
})

test("Secret manifests: a whole encrypted Secret as YAML text keeps integer-like key order", async () => {
  const text = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  "9": nine-secret\n  "10": ten-secret\n  b: bee\n'
  const enc = await encrypt(text, "yaml", [a.recipient, b.recipient], { encryptedRegex: "^(data|stringData)$" })
  for (const id of [a.keyFile, b.keyFile]) {
    const r = await decryptSecretManifest(enc, [id])
    assert.equal(r.decrypted, true)
    assert.deepEqual(r.object["stringData"], { "9": "nine-secret", "10": "ten-secret", b: "bee" })
  }
  // tampered: the previous value must never be replaced silently
  await assert.rejects(decryptSecretManifest(enc.replace("name: s", "name: t"), [a.keyFile]), (e: unknown) => e instanceof SopsError && e.reason === "DecryptionFailed")
})

test("encryptForPath follows the matching creation rule, or says why it cannot", async () => {
  const cfg = parseSopsConfig(`creation_rules:
  - path_regex: \\.yaml$
    encrypted_regex: ^(data|stringData)$
    age: ${a.recipient},${b.recipient}
  - path_regex: pgp\\.env$
    pgp: ABCDEF
`)
  const enc = await encryptForPath("apps/s.yaml", "metadata:\n  name: x\nstringData:\n  k: rule-secret\n", cfg)
  assert.match(enc, /name: x\n/)
  assert.match(enc, /k: ENC\[/)
  assert.match(enc, /encrypted_regex: \^\(data\|stringData\)\$/)
  assert.match(await decrypt(enc, "yaml", [b.identity]), /k: rule-secret/)
  const withFlag = await encryptForPath("a.env", "K=v\n", cfg, { recipients: [b.recipient] })
  assert.match(await decrypt(withFlag, "dotenv", [b.identity]), /^K=v\n$/)
  await assert.rejects(encryptForPath("x.txt", "v", cfg), /x\.txt: cannot encrypt: no creation rule of \.sops\.yaml matches the path/)
  await assert.rejects(encryptForPath("a/pgp.env", "K=v\n", cfg), /only pgp keys, no age recipients/)
  await assert.rejects(encryptForPath("a.env", "K=v\n", undefined), /no \.sops\.yaml and no --age recipients/)
})

test("Secret manifest text: the opt-out annotation is honoured before any decryption", async () => {
  const text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  annotations:\n    kustomize.toolkit.fluxcd.io/decrypt: Disabled\nstringData:\n  k: v\n"
  const enc = await encrypt(text, "yaml", [a.recipient], { encryptedRegex: "^stringData$" })
  const r = await decryptSecretManifest(enc, [b.keyFile])
  assert.equal(r.decrypted, false)
  assert.match(String((r.object["stringData"] as Record<string, string>)["k"]), /^ENC\[/)
})

test("decryption Secret: identities from keys ending in .agekey; the keygen Secret round-trips", async () => {
  const stored = ageKeySecret(a.keyFile, { key: "cluster-a.agekey" })
  assert.deepEqual(stored["metadata"], { name: "sops-age", namespace: "flux-system" })
  const fromData = ageIdentitiesFromSecret(stored)
  const enc = await encrypt("k: v\n", "yaml", [a.recipient])
  assert.equal(await decrypt(enc, "yaml", fromData), "k: v\n")
  const both = ageIdentitiesFromSecret({ kind: "Secret", metadata: { name: "k" }, stringData: { "admin.agekey": b.keyFile, "note.txt": "x" }, data: (stored as { data: object }).data })
  assert.equal(both.length, 2)
  assert.throws(
    () => ageIdentitiesFromSecret({ kind: "Secret", metadata: { name: "k", namespace: "flux-system" }, stringData: { "age.txt": a.keyFile } }),
    (e: unknown) => e instanceof SopsError && /Secret flux-system\/k: no age identity in keys ending in \.agekey \(keys: age\.txt\)/.test(e.message) && !e.message.includes("AGE-SECRET-KEY"),
  )
})
