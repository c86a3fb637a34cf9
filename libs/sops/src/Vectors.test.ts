// Files written by the real sops CLI (3.9-3.12) for age recipients must
// decrypt with moor, MAC verified; PGP-only and plain files fail clearly.
import assert from "node:assert/strict"
import { test } from "node:test"
import { decrypt, decryptGeneratorSource, decryptSecretManifest, encrypt, recipientsOfIdentities, isEncrypted, parseSopsConfig, recipientsFor, recipientsOf, SopsError } from "./index.ts"
import { vector, vectorsMissing } from "./internal/testdata.ts"

const skip = vectorsMissing()
if (skip) console.log(`# skipping sops vector tests: ${skip}`)

const key = () => vector("keys/age.txt")
const R = "age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29"

const rejects = async (p: Promise<unknown>, reason: string, re: RegExp) => {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SopsError, String(e))
    assert.equal(e.reason, reason, e.message)
    assert.match(e.message, re)
    return true
  })
}

test("sops vectors: every age file decrypts to its cleartext", { skip }, async (t) => {
  const cases: Array<[string, "yaml" | "dotenv" | "binary" | "json", string, RegExp]> = [
    ["algorithms/age.yaml", "yaml", "keys/age.txt", /^stringData:\n {2}key: value$/m],
    ["patches/merge1.yaml", "yaml", "keys/age.txt", /^ {2}key: merge1$/m],
    ["patches/merge2.yaml", "yaml", "keys/age.txt", /^ {2}merge2: merge2$/m],
    ["global/secret.yaml", "yaml", "keys/age-global.txt", /^ {2}key: global-value$/m],
    ["envs/env.env", "dotenv", "keys/age.txt", /^key=value\n$/],
    ["component/env.env", "dotenv", "keys/age.txt", /^key=value\n$/],
    ["remote/env.env", "dotenv", "decryptor/age.txt", /^key=value\n$/],
    ["files/file.txt", "binary", "keys/age.txt", /^value$/],
    // post-quantum (ML-KEM-768 + X25519) recipient, written by sops 3.12
    ["algorithms/age-pq.yaml", "yaml", "keys/age-pq.txt", /^ {2}key: value$/m],
  ]
  for (const [file, format, id, want] of cases) {
    await t.test(file, async () => {
      const text = vector(file)
      assert.equal(isEncrypted(text, format), true)
      const out = await decrypt(text, format, [vector(id)], { file })
      assert.match(out, want)
      assert.doesNotMatch(out, /sops|ENC\[/)
    })
  }
})

test("sops vectors: the JSON envelope of a binary file also decrypts as json", { skip }, async () => {
  const out = await decrypt(vector("files/file.txt"), "json", [key()])
  assert.equal(out, '{\n\t"data": "value"\n}\n')
})

test("sops vectors: unencrypted values keep their text, order and comments", { skip }, async () => {
  const out = await decrypt(vector("algorithms/age.yaml"), "yaml", [key()])
  assert.equal(out, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: age\nstringData:\n  key: value\n")
})

test("sops vectors: PGP-only file fails naming its key type; a plain file is not encrypted", { skip }, async () => {
  await rejects(decrypt(vector("algorithms/pgp.yaml"), "yaml", [key()], { file: "pgp.yaml" }), "UnsupportedKeyType", /^pgp\.yaml: .*pgp only/)
  await rejects(decrypt(vector("algorithms/vault.yaml"), "yaml", [key()]), "NotEncrypted", /not encrypted/)
  assert.equal(isEncrypted(vector("algorithms/vault.yaml"), "yaml"), false)
})

test("sops vectors: a wrong key names the file's recipients, never a secret key", { skip }, async () => {
  const other = vector("keys/age-global.txt")
  await assert.rejects(decrypt(vector("algorithms/age.yaml"), "yaml", [other], { file: "age.yaml" }), (e: unknown) => {
    assert.ok(e instanceof SopsError)
    assert.equal(e.reason, "NoMatchingIdentity")
    assert.deepEqual(e.recipients, [R])
    assert.ok(e.message.startsWith("age.yaml: "), e.message)
    assert.ok(e.message.includes(R), e.message)
    assert.doesNotMatch(e.message, /AGE-SECRET-KEY/)
    return true
  })
  assert.deepEqual(recipientsOf(vector("envs/env.env"), "dotenv"), [R])
})

test("sops vectors: tampering is an error, never silently accepted", { skip }, async (t) => {
  const age = vector("algorithms/age.yaml")
  const cases: Array<[string, string, RegExp]> = [
    // cleartext metadata is covered by the MAC
    ["cleartext value changed", age.replace("name: age", "name: eve"), /MAC mismatch/],
    // a ciphertext byte flipped
    ["ciphertext changed", age.replace("data:mHeXsmQ=", "data:mHeXsmA="), /value at stringData\.key failed to decrypt/],
    // the MAC itself changed
    ["mac changed", age.replace("mac: ENC[AES256_GCM,data:vmrF", "mac: ENC[AES256_GCM,data:vmrG"), /MAC failed to decrypt/],
    ["lastmodified changed", age.replace('lastmodified: "2024-11-12T13:33:42Z"', 'lastmodified: "2024-11-12T13:33:43Z"'), /MAC failed to decrypt/],
    // a value moved under another key does not authenticate (its path is additional data)
    ["value moved", age.replace("  key: ENC", "  other: ENC"), /value at stringData\.other failed to decrypt/],
    // a value deleted: the MAC no longer matches
    ["value removed", age.replace(/^ {2}key: ENC.*\n/m, "  key: \"\"\n"), /MAC mismatch/],
    ["value added", age.replace("metadata:\n", "metadata:\n  labels:\n    a: b\n"), /MAC mismatch/],
  ]
  for (const [name, text, re] of cases) {
    await t.test(name, async () => {
      assert.notEqual(text, age, "the tampering must change the file")
      await rejects(decrypt(text, "yaml", [key()]), "DecryptionFailed", re)
    })
  }
  await t.test("dotenv value changed", async () => {
    const env = vector("envs/env.env")
    const bad = env.replace("sops_lastmodified=", "extra=1\nsops_lastmodified=")
    await rejects(decrypt(bad, "dotenv", [key()]), "DecryptionFailed", /value at extra should be encrypted/)
  })
})

test("sops vectors: Secret manifests decrypt as Flux does (whole document, base64 data entries)", { skip }, async () => {
  const whole = await decryptSecretManifest(vector("algorithms/age.yaml"), [key()])
  assert.equal(whole.decrypted, true)
  assert.deepEqual(whole.object, { apiVersion: "v1", kind: "Secret", metadata: { name: "age" }, stringData: { key: "value" } })
  // data.key is base64 of a binary-format sops file (as a secretGenerator would embed it)
  const inside = await decryptSecretManifest(vector("inside/secret.yaml"), [key()])
  assert.equal(inside.decrypted, true)
  assert.equal(Buffer.from((inside.object["data"] as Record<string, string>)["key"]!, "base64").toString(), "value")
  const plain = await decryptSecretManifest(vector("algorithms/vault.yaml"), [key()])
  assert.equal(plain.decrypted, false)
})

test("sops vectors: the real .sops.yaml picks rules by path", { skip }, () => {
  const cfg = parseSopsConfig(vector(".sops.yaml"))
  assert.deepEqual(recipientsFor("secrets/inside.yaml", cfg)?.otherKeys, ["pgp"])
  const yaml = recipientsFor("apps/secret.yaml", cfg)
  assert.deepEqual(yaml?.age, [R])
  assert.equal(yaml?.encryptedRegex, "^(data|stringData)$")
  assert.equal(recipientsFor("x/json.yaml", cfg)?.encryptedRegex, ".*")
  assert.deepEqual(recipientsFor("app/.env", cfg)?.age, [R])
  // the fallback rule has key groups with age and pgp
  const fallback = recipientsFor("README.md", cfg)
  assert.deepEqual(fallback?.age, [R])
  assert.deepEqual(fallback?.otherKeys, ["pgp"])
})

test("sops vectors: secretGenerator sources decrypt before the build as Flux does", { skip }, async () => {
  // envs: - env.env ; files: - key=file.txt (binary by the key's name)
  const env = await decryptGeneratorSource({ kind: "env", key: "env.env", text: vector("envs/env.env") }, [key()])
  assert.deepEqual(env, { text: "key=value\n", decrypted: true })
  const file = await decryptGeneratorSource({ kind: "file", key: "key", text: vector("files/file.txt"), file: "files/file.txt" }, [key()])
  assert.deepEqual(file, { text: "value", decrypted: true })
  const plain = await decryptGeneratorSource({ kind: "file", key: "kustomization.yaml", text: vector("files/kustomization.yaml") }, [key()])
  assert.equal(plain.decrypted, false)
  await assert.rejects(decryptGeneratorSource({ kind: "env", key: "env.env", text: vector("envs/env.env"), file: "envs/env.env" }, [vector("keys/age-global.txt")]), (e: unknown) => {
    return e instanceof SopsError && e.reason === "NoMatchingIdentity" && e.message.startsWith("envs/env.env: ") && e.message.includes(R)
  })
})

test("sops vectors: moor encrypts to the post-quantum recipient too, next to an X25519 one", { skip }, async () => {
  const [pq] = await recipientsOfIdentities(vector("keys/age-pq.txt"))
  assert.match(pq!, /^age1pq1/)
  const enc = await encrypt("stringData:\n  k: pq-secret\n", "yaml", [pq!, R])
  assert.ok(!enc.includes("pq-secret"))
  assert.equal(await decrypt(enc, "yaml", [vector("keys/age-pq.txt")]), "stringData:\n  k: pq-secret\n")
  assert.equal(await decrypt(enc, "yaml", [key()]), "stringData:\n  k: pq-secret\n")
})
