// The bundle path without servers: a kustomize build holding SOPS-encrypted
// Secrets (whole manifest, stringData, secretGenerator file) is encoded as
// the Kustomization does, decoded and decrypted as the apply actor does. The
// bundle holds no plaintext; a wrong key or a tampered file is
// DecryptionFailed naming the object and its recipients.
import { test } from "node:test"
import assert from "node:assert/strict"
import { Decryptor, parseBundle } from "@moor/apply-service"
import { encodeBundle, sopsSourcesOf } from "@moor/kustomize-service"
import type { KubeObject } from "@moor/kube"
import { fluxBuild, memoryFs } from "@moor/kustomize"
import { encrypt, generateAgeIdentity } from "@moor/sops"

const cluster = await generateAgeIdentity()
const admin = await generateAgeIdentity()
const other = await generateAgeIdentity()
const PLAIN = ["s3cret-whole-manifest", "s3cret-string-data", "s3cret-generated-env"]

const secretYaml = (name: string, v: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: apps\ntype: Opaque\nstringData:\n  password: ${v}\n  "10": ten\n  user: admin\n`

const tree = async (recipients: string[]) => ({
  "apps/whole.yaml": await encrypt(secretYaml("whole", PLAIN[0]!), "yaml", recipients, { encryptedRegex: "^(data|stringData)$" }),
  "apps/plain.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n  namespace: apps\ndata:\n  k: v\n",
  "apps/db.env": await encrypt(`PASSWORD=${PLAIN[2]}\n`, "dotenv", recipients),
  // commonAnnotations changes a field the whole manifest's MAC covers: verified on its source document.
  "apps/kustomization.yaml": "resources: [whole.yaml, plain.yaml]\ncommonAnnotations:\n  team: a\nsecretGenerator:\n  - name: gen\n    namespace: apps\n    files: [db.env]\n",
})

// As the Kustomization does: SOPS documents the build read keep their source text (and key order).
const bundleOf = async (files: Record<string, string>) => encodeBundle(fluxBuild(memoryFs(files), "apps").resources as KubeObject[], sopsSourcesOf(Object.entries(files)))

test("a built bundle stays encrypted and decrypts with the cluster's key on the apply side", async () => {
  const bytes = await bundleOf(await tree([cluster.recipient, admin.recipient]))
  const text = new TextDecoder().decode(bytes)
  for (const p of PLAIN) assert.ok(!text.includes(p) && !text.includes(Buffer.from(p).toString("base64")), "no plaintext in the bundle")
  assert.match(text, /ENC\[AES256_GCM/)
  const dec = new Decryptor()
  for (const key of [cluster.keyFile, admin.keyFile]) {
    const out = await dec.decrypt(parseBundle(text), { decryption: { provider: "sops" }, identities: async () => [key] })
    const whole = out.objects.find((o) => o.metadata.name === "whole")!
    assert.equal((whole.stringData as Record<string, string>).password, PLAIN[0])
    assert.equal((whole.stringData as Record<string, string>)["10"], "ten")
    assert.equal((whole as { sops?: unknown }).sops, undefined, "the sops block does not reach the cluster")
    const gen = out.objects.find((o) => o.kind === "Secret" && o.metadata.name.startsWith("gen-"))!
    assert.match(Buffer.from((gen.data as Record<string, string>)["db.env"]!, "base64").toString(), new RegExp(PLAIN[2]!))
    assert.equal(whole.metadata.annotations?.team, "a", "the build's change is kept")
    assert.ok(out.plaintexts.includes(PLAIN[0]!), "decrypted values are known for redaction")
    assert.equal((out.objects.find((o) => o.metadata.name === "plain")!.data as Record<string, string>).k, "v")
  }
})

test("wrong key, tampered file, missing spec.decryption: DecryptionFailed naming the object, no plaintext", async () => {
  const dec = new Decryptor()
  const text = new TextDecoder().decode(await bundleOf(await tree([cluster.recipient, admin.recipient])))
  const fail = async (t: string, o: Parameters<Decryptor["decrypt"]>[1]) => {
    const e = await dec.decrypt(parseBundle(t), o).then(
      () => assert.fail("decryption should fail"),
      (e: unknown) => e as { reason: string; message: string },
    )
    assert.equal(e.reason, "DecryptionFailed")
    for (const p of PLAIN) assert.ok(!e.message.includes(p), `no plaintext in: ${e.message}`)
    return e.message
  }
  const wrong = await fail(text, { decryption: { provider: "sops" }, identities: async () => [other.keyFile] })
  // The first failing object in build order: the generated Secret (its entry) or the whole manifest (its file).
  assert.match(wrong, /Secret\/apps\/(whole \(apps\/whole\.yaml\)|gen-\w+ \(data\.db\.env\))/, `names the object and its file: ${wrong}`)
  assert.ok(wrong.includes(cluster.recipient) && wrong.includes(admin.recipient), `recipients named: ${wrong}`)
  // Flip one character of the ciphertext of the password.
  const tampered = text.replace(/(password: ENC\[AES256_GCM,data:)(.)/, (_m, a: string, c: string) => a + (c === "A" ? "B" : "A"))
  assert.notEqual(tampered, text)
  assert.match(await fail(tampered, { decryption: { provider: "sops" }, identities: async () => [cluster.keyFile] }), /Secret\/apps\/whole \(apps\/whole\.yaml\)/)
  assert.match(await fail(text, { decryption: undefined, identities: async () => [cluster.keyFile] }), /spec\.decryption is not set/)
})

test("a bundle reads the same through its JSON fast path as through a YAML parser", async () => {
  const text = new TextDecoder().decode(await bundleOf(await tree([cluster.recipient])))
  // plain objects travel as one line of JSON each, SOPS manifests as YAML after their source comment
  assert.match(text, /^\{"apiVersion":"v1","kind":"ConfigMap"/m)
  assert.match(text, /^# moor-source: apps\/whole\.yaml\n/m)
  const { parseAllDocuments } = await import("yaml")
  const viaYaml = parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject)
    .filter((o) => o.kind !== "SopsSources")
  const b = parseBundle(text)
  assert.deepEqual(b.docs.map((d) => d.object), viaYaml)
  assert.deepEqual(b.docs.map((d) => d.source ?? null), viaYaml.map((o) => (o.metadata.name === "whole" ? "apps/whole.yaml" : null)))
  assert.equal(b.sources.size, 1)
})
