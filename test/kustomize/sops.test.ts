// SOPS end to end (#6): a Secret encrypted to two age recipients (the
// cluster's key and an admin key) travels encrypted through git, the build,
// the object store and NATS, and is decrypted by the apply actor with the
// cluster's own key (flux-system/sops-age). A new encryption updates it; a
// wrong key and a tampered file are DecryptionFailed naming the file and its
// recipients, the previous Secret in place. A postBuild variable from a hub
// Secret is substituted by the apply actor too. No plaintext value anywhere: every
// NATS message (a `>` subscription), event, log line and status is grepped.
import { test } from "node:test"
import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { connect } from "@nats-io/transport-node"
import { ArtifactStore } from "@moor/artifact"
import type { Log } from "@moor/actors"
import type { KubeObject } from "@moor/kube"
import { ageKeySecret, encrypt, generateAgeIdentity } from "@moor/sops"
import { startGitDaemon, waitFor } from "@moor/testing"
import { makeRepo, tempDir } from "../harness.ts"
import { gitRepository, kustomization, startServices } from "./services.ts"

const secret = (v: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: apps\ntype: Opaque\nstringData:\n  password: ${v}\n  user: app\n`
const ns = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n`
const enc = (v: string, recipients: string[]) => encrypt(secret(v), "yaml", recipients, { encryptedRegex: "^(data|stringData)$" })

test("SOPS Secrets: decrypted with the cluster's key on apply, updated, refused whole when the key is wrong or the file tampered, never in clear outside the cluster", { timeout: 180_000 }, async (t) => {
  const logs: string[] = []
  const rec = (level: string) => (msg: string, fields?: Record<string, unknown>) => void logs.push(JSON.stringify({ level, msg, ...fields }))
  const log: Log = { debug: rec("debug"), info: rec("info"), warn: rec("warn"), error: rec("error") }
  const c = await startServices(t, { log })
  // Everything said on NATS during the test.
  const spy = await connect({ servers: c.nats.url, name: "spy" })
  t.after(() => spy.close())
  const wire: string[] = []
  spy.subscribe(">", { callback: (_e, m) => void wire.push(`${m.subject} ${Buffer.from(m.data).toString("latin1")}`) })
  await spy.flush()

  const clusterKey = await generateAgeIdentity()
  const admin = await generateAgeIdentity()
  const stranger = await generateAgeIdentity()
  const plain = [1, 2, 3, 4, 5].map((i) => `pw${i}-${randomBytes(6).toString("hex")}`)
  const forms = plain.flatMap((p) => [p, Buffer.from(p).toString("base64")])

  // The cluster's own key, where Flux looks without a secretRef.
  await c.kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system" } }, { fieldManager: "test" })
  await c.kube.apply(ageKeySecret(clusterKey.keyFile) as KubeObject, { fieldManager: "test" })

  const root = tempDir(t)
  // A substitution variable from a Secret of the hub: its value must not travel either.
  await c.kube.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: "vars", namespace: "default" }, stringData: { token: plain[4]! } } as KubeObject, { fieldManager: "test" })
  const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: apps\ndata:\n  token: ${token}\n"
  const repo = makeRepo(root, "fleet", { "apps/ns.yaml": ns, "apps/cm.yaml": cm, "apps/secret.yaml": await enc(plain[0]!, [clusterKey.recipient, admin.recipient]) })
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())
  await c.kube.apply(gitRepository(daemon.url("fleet.git")), { fieldManager: "test" })
  await c.kube.apply(
    kustomization("apps", { path: "./apps", decryption: { provider: "sops" }, postBuild: { substituteFrom: [{ kind: "Secret", name: "vars" }] } }),
    { fieldManager: "test" },
  )
  const kss = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  const secrets = await c.kube.resource("v1", "Secret")
  const ready = (o: KubeObject) => (o.status?.conditions as { type: string; status: string; reason: string; message: string }[] | undefined)?.find((x) => x.type === "Ready")
  const until = (what: string, pred: (o: KubeObject) => boolean) =>
    waitFor(what, async () => {
      const o = await c.kube.get(kss, "default", "apps")
      return pred(o) ? o : undefined
    }, 30_000, 100)
  const password = async () => Buffer.from(((await c.kube.get(secrets, "apps", "db")).data as Record<string, string>).password!, "base64").toString()

  // Decrypted with the cluster's key and applied.
  let o = await until("Ready", (o) => ready(o)?.status === "True" && o.status?.lastAppliedRevision === `master@sha1:${repo.first}`)
  assert.equal(await password(), plain[0])
  assert.equal((await c.kube.get(secrets, "apps", "db")).sops, undefined, "no sops block in the cluster")
  const cms = await c.kube.resource("v1", "ConfigMap")
  assert.equal(((await c.kube.get(cms, "apps", "settings")).data as Record<string, string>).token, plain[4], "substituted on apply")

  // Re-encrypted with a new value in a new commit: the cluster follows.
  const second = repo.commit({ "apps/secret.yaml": await enc(plain[1]!, [clusterKey.recipient, admin.recipient]) })
  await until("second revision", (o) => o.status?.lastAppliedRevision === `master@sha1:${second}`)
  assert.equal(await password(), plain[1])
  const rv = (await c.kube.get(secrets, "apps", "db")).metadata.resourceVersion

  // Encrypted for keys this cluster does not hold: DecryptionFailed naming the file and its recipients.
  const third = repo.commit({ "apps/secret.yaml": await enc(plain[2]!, [stranger.recipient, admin.recipient]) })
  o = await until("wrong key", (o) => o.status?.lastAttemptedRevision === `master@sha1:${third}` && ready(o)?.status === "False")
  assert.equal(ready(o)!.reason, "DecryptionFailed")
  assert.match(ready(o)!.message, /Secret\/apps\/db \(apps\/secret\.yaml\)/)
  assert.ok(ready(o)!.message.includes(stranger.recipient) && ready(o)!.message.includes(admin.recipient), ready(o)!.message)
  assert.equal(o.status.lastAppliedRevision, `master@sha1:${second}`)
  assert.equal(await password(), plain[1], "the previous Secret stays")

  // A tampered ciphertext: the same, and still nothing applied.
  const good = await enc(plain[3]!, [clusterKey.recipient, admin.recipient])
  const tampered = good.replace(/(password: ENC\[AES256_GCM,data:)(.)/, (_m, a: string, ch: string) => a + (ch === "A" ? "B" : "A"))
  assert.notEqual(tampered, good)
  const fourth = repo.commit({ "apps/secret.yaml": tampered })
  o = await until("tampered", (o) => o.status?.lastAttemptedRevision === `master@sha1:${fourth}` && ready(o)?.status === "False")
  assert.equal(ready(o)!.reason, "DecryptionFailed")
  assert.match(ready(o)!.message, /Secret\/apps\/db \(apps\/secret\.yaml\)/)
  assert.equal((await c.kube.get(secrets, "apps", "db")).metadata.resourceVersion, rv, "the previous Secret is untouched")
  await waitFor("DecryptionFailed event", () => c.events.some((e) => e.reason === "DecryptionFailed"), 10_000)

  // Bundles in the object store are encrypted.
  const store = await ArtifactStore.open(c.nc)
  const bundles = await store.history({ kind: "kustomization", namespace: "default", name: "apps" })
  assert.ok(bundles.length > 0)
  for (const b of bundles) {
    const text = new TextDecoder().decode((await store.get(b.digest))!)
    assert.match(text, /ENC\[AES256_GCM/)
    for (const f of forms) assert.ok(!text.includes(f), "no plaintext in a bundle")
  }

  // No plaintext in any NATS message, event, log line or status.
  await spy.flush()
  const status = JSON.stringify((await c.kube.get(kss, "default", "apps")).status)
  assert.ok(wire.length > 20 && wire.some((w) => w.startsWith("moor.apply.hub ")), "the spy saw the apply traffic")
  for (const f of forms) {
    assert.ok(!wire.some((w) => w.includes(f)), "no plaintext on NATS")
    assert.ok(!c.events.some((e) => JSON.stringify(e).includes(f)), "no plaintext in events")
    assert.ok(!logs.some((l) => l.includes(f)), "no plaintext in logs")
    assert.ok(!status.includes(f), "no plaintext in the status")
  }
})
