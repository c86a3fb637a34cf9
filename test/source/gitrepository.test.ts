// GitRepository end to end: real git servers (git daemon, git http-backend
// with basic auth, sshd), moor's embedded API server, a real nats-server, and
// the source service's actors writing status as Flux does.
import { test } from "node:test"
import assert from "node:assert/strict"
import { symlinkSync } from "node:fs"
import { join } from "node:path"
import { ActorHost, Client, NatsTransport, ensureJetStream, type Log } from "@moor/actors"
import { ArtifactStore, readArchive } from "@moor/artifact"
import type { KubeClient, KubeObject } from "@moor/kube"
import { sourceService } from "@moor/source"
import type { Event } from "@moor/protocol"
import { hasSshd, startGitDaemon, startGitHttp, startSshd, waitFor } from "@moor/testing"
import { makeRepo, startCluster, tempDir } from "../harness.ts"

const quiet: Log = { debug() {}, info() {}, warn() {}, error() {} }
const b64 = (s: string) => Buffer.from(s).toString("base64")

const setup = async (t: { after: (f: () => unknown) => void }) => {
  const c = await startCluster(t)
  const { leases } = await ensureJetStream(c.nc)
  const { behaviors, catalog } = await sourceService({ kube: c.kube, nc: c.nc, cacheRoot: tempDir(t, "moor-gitcache-"), log: quiet })
  const host = new ActorHost({ service: "source", transport: new NatsTransport(c.nc), leases, catalog, behaviors, log: quiet })
  await host.start()
  t.after(() => host.stop())
  const events: Event[] = []
  new Client(new NatsTransport(c.nc)).events((e) => events.push(e), "gitrepository")
  const repos = await c.kube.resource("source.toolkit.fluxcd.io/v1", "GitRepository")
  const secrets = await c.kube.resource("v1", "Secret")
  const store = await ArtifactStore.open(c.nc)
  return { ...c, host, events, repos, secrets, store }
}

const gitRepo = (name: string, url: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  metadata: { name, namespace: "default" },
  spec: { url, interval: "2s", ...extra },
})

const ready = (o: KubeObject | undefined) => o?.status?.conditions?.find((c: { type: string }) => c.type === "Ready")

/** Waits until the GitRepository's status satisfies `pred`, returning the object. */
const until = async (kube: KubeClient, repos: Awaited<ReturnType<KubeClient["resource"]>>, name: string, what: string, pred: (o: KubeObject) => boolean, ms = 15_000) => {
  let last: KubeObject | undefined
  try {
    return await waitFor(what, async () => {
      last = await kube.get(repos, "default", name)
      return pred(last) ? last : undefined
    }, ms, 50)
  } catch (e) {
    throw new Error(`${(e as Error).message}; last status: ${JSON.stringify(last?.status)}`)
  }
}

/** The full scenario for one transport: create, push, request, wrong credentials. */
const scenario = async (
  env: Awaited<ReturnType<typeof setup>>,
  name: string,
  url: string,
  repo: ReturnType<typeof makeRepo>,
  secret: Record<string, string> | undefined,
  wrongSecret: Record<string, string> | undefined,
) => {
  const { kube, repos, secrets, store } = env
  if (secret) await kube.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: `${name}-auth`, namespace: "default" }, data: secret }, { fieldManager: "test", force: true })
  const createdAt = Date.now()
  await kube.apply(gitRepo(name, url, secret ? { secretRef: { name: `${name}-auth` } } : {}), { fieldManager: "test" })

  // Created: an artifact with the right revision, Ready=True, ArtifactInStorage.
  let o = await until(kube, repos, name, `${name}: first artifact`, (o) => o.status?.artifact?.revision === `master@sha1:${repo.first}`, 30_000)
  // One reconcile's time on this transport and this machine's load (an ssh
  // session costs this machine's sshd ~0.6 s in root's .bashrc alone): the
  // timing bounds below are in these units, not in fixed seconds.
  const reconcileMs = Math.max(500, Date.now() - createdAt)
  assert.equal(ready(o)?.status, "True")
  assert.equal(ready(o)?.reason, "Succeeded")
  assert.ok(o.status.conditions.some((c: { type: string; status: string }) => c.type === "ArtifactInStorage" && c.status === "True"))
  assert.equal(o.status.observedGeneration, o.metadata.generation)
  assert.match(o.status.artifact.digest, /^sha256:[0-9a-f]{64}$/)
  const files = readArchive((await store.get(o.status.artifact.digest))!)
  assert.deepEqual(files.map((f) => f.path).sort(), ["README.md", "apps/config.yaml"])

  // Push: a new artifact at the next poll: within one interval (2 s) and the
  // time of the poll in flight plus the one that fetches.
  const second = repo.commit({ "apps/config.yaml": "replicas: 2\n" })
  const pushedAt = Date.now()
  o = await until(kube, repos, name, `${name}: pushed commit`, (o) => o.status?.artifact?.revision === `master@sha1:${second}`, 30_000)
  assert.ok(Date.now() - pushedAt < 2_000 * 1.05 + 2 * reconcileMs + 500, `took ${Date.now() - pushedAt} ms (one reconcile: ${reconcileMs} ms)`)

  // The reconcile annotation: a fetch at once, echoed in lastHandledReconcileAt.
  await kube.patch(repos, "default", name, "merge", { spec: { interval: "1h" } })
  await until(kube, repos, name, `${name}: interval 1h observed`, (o) => o.status?.observedGeneration === o.metadata.generation)
  const third = repo.commit({ "apps/config.yaml": "replicas: 3\n" })
  const requestedAt = new Date().toISOString()
  const askedAt = Date.now()
  await kube.patch(repos, "default", name, "merge", { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": requestedAt } } })
  o = await until(kube, repos, name, `${name}: requested fetch`, (o) => o.status?.artifact?.revision === `master@sha1:${third}` && o.status?.lastHandledReconcileAt === requestedAt, 30_000)
  // At once: the interval is now an hour; at most a run in flight finishes first, then one reconcile.
  assert.ok(Date.now() - askedAt < 2 * reconcileMs + 500, `took ${Date.now() - askedAt} ms (one reconcile: ${reconcileMs} ms)`)
  const good = o.status.artifact

  // Wrong credentials: Ready=False with the reason; the last artifact is kept and still served.
  if (wrongSecret) {
    await kube.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: `${name}-auth`, namespace: "default" }, data: wrongSecret }, { fieldManager: "test", force: true })
    repo.commit({ "apps/config.yaml": "replicas: 4\n" })
    const at = new Date(Date.now() + 1000).toISOString()
    await kube.patch(repos, "default", name, "merge", { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": at } } })
    o = await until(kube, repos, name, `${name}: auth failure`, (o) => ready(o)?.status === "False", 10_000)
    assert.equal(ready(o)?.reason, "AuthenticationFailed", ready(o)?.message)
    assert.ok(o.status.conditions.some((c: { type: string; status: string; reason: string }) => c.type === "FetchFailed" && c.status === "True" && c.reason === "AuthenticationFailed"))
    assert.deepEqual(o.status.artifact, good)
    assert.ok(await store.has(good.digest))
    for (const v of Object.values(wrongSecret)) assert.ok(!JSON.stringify(o.status).includes(Buffer.from(v, "base64").toString()), "no secret in the status")
  }
}

test("GitRepository over git:// (git daemon)", { timeout: 120_000 }, async (t) => {
  const env = await setup(t)
  const root = tempDir(t)
  const repo = makeRepo(root, "fleet", { "README.md": "# fleet\n", "apps/config.yaml": "replicas: 1\n", ".github/ci.yaml": "x: 1\n" })
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())
  await scenario(env, "daemon", daemon.url("fleet.git"), repo, undefined, undefined)

  // A poll that finds the same commit publishes nothing and writes nothing.
  const head = `master@sha1:${repo.head()}`
  await waitFor("the last ArtifactUpdated event", () => env.events.some((e) => e.involvedObject.name === "daemon" && e.metadata?.revision === head))
  const before = env.events.filter((e) => e.involvedObject.name === "daemon" && e.reason === "ArtifactUpdated").length
  await env.kube.patch(env.repos, "default", "daemon", "merge", { spec: { interval: "1s" } })
  await until(env.kube, env.repos, "daemon", "interval 1s observed", (o) => o.status?.observedGeneration === o.metadata.generation)
  const rv = (await env.kube.get(env.repos, "default", "daemon")).metadata.resourceVersion
  await new Promise((r) => setTimeout(r, 3_500))
  assert.equal(env.events.filter((e) => e.involvedObject.name === "daemon" && e.reason === "ArtifactUpdated").length, before)
  assert.equal((await env.kube.get(env.repos, "default", "daemon")).metadata.resourceVersion, rv, "no status write on a no-change poll")
  const st = await new Client(new NatsTransport(env.nc)).command({ kind: "gitrepository", namespace: "default", name: "daemon" }, { type: "status" })
  assert.ok(st.ok && st.status.runs >= 3, "the polls did run")

  // Older artifacts are collected: the last three are kept.
  const owner = { kind: "gitrepository", namespace: "default", name: "daemon" }
  const history = await env.store.history(owner)
  assert.ok(history.length === 3, `kept ${history.length}`)
  // Deleting the GitRepository deletes its artifacts.
  const digest = (await env.kube.get(env.repos, "default", "daemon")).status.artifact.digest
  assert.ok(await env.store.has(digest))
  await env.kube.delete(env.repos, "default", "daemon")
  await waitFor("artifacts to go with the GitRepository", async () => !(await env.store.has(digest)))
  assert.deepEqual(await env.store.history(owner), [])
})

test("GitRepository over http:// (git http-backend with basic auth)", { timeout: 120_000 }, async (t) => {
  const env = await setup(t)
  const root = tempDir(t)
  const repo = makeRepo(root, "fleet", { "README.md": "# fleet\n", "apps/config.yaml": "replicas: 1\n" })
  const http = await startGitHttp(root, { username: "flux", password: "s3cret-pass" })
  t.after(() => http.stop())
  await scenario(env, "http", http.url("fleet.git"), repo, { username: b64("flux"), password: b64("s3cret-pass") }, { username: b64("flux"), password: b64("wrong-pass-123") })
  const ev = env.events.find((e) => e.involvedObject.name === "http" && e.severity === "error")
  assert.equal(ev?.reason, "AuthenticationFailed")
  assert.ok(!JSON.stringify(env.events).includes("wrong-pass-123") && !JSON.stringify(env.events).includes("s3cret-pass"), "no secret in events")
})

test("GitRepository over https:// (bearer token, custom CA from ca.crt)", { timeout: 120_000 }, async (t) => {
  const env = await setup(t)
  const root = tempDir(t)
  const repo = makeRepo(root, "fleet", { "README.md": "# fleet\n", "apps/config.yaml": "replicas: 1\n" })
  const https = await startGitHttp(root, { token: "tok-9f8e7d6c" }, { tls: true })
  t.after(() => https.stop())
  assert.match(https.url("fleet.git"), /^https:/)
  const ca = b64(https.caCert!)
  await scenario(env, "https", https.url("fleet.git"), repo, { bearerToken: b64("tok-9f8e7d6c"), "ca.crt": ca }, { bearerToken: b64("tok-wrong-0000"), "ca.crt": ca })
  assert.ok(!JSON.stringify(env.events).includes("tok-9f8e7d6c") && !JSON.stringify(env.events).includes("tok-wrong-0000"), "no token in events")

  // Without the CA the server's certificate is not trusted: a clear TLS error, not a silent accept.
  await env.kube.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: "noca", namespace: "default" }, data: { bearerToken: b64("tok-9f8e7d6c") } }, { fieldManager: "test" })
  await env.kube.apply(gitRepo("noca", https.url("fleet.git"), { secretRef: { name: "noca" } }), { fieldManager: "test" })
  const o = await until(env.kube, env.repos, "noca", "untrusted certificate", (o) => ready(o)?.status === "False")
  assert.equal(ready(o)?.reason, "GitOperationFailed")
  assert.match(ready(o)?.message, /certificate/i)
})

test("GitRepository over ssh:// (sshd with a key and known_hosts)", { skip: hasSshd() ? false : "sshd is not installed", timeout: 120_000 }, async (t) => {
  const env = await setup(t)
  const root = tempDir(t)
  const repo = makeRepo(root, "fleet", { "README.md": "# fleet\n", "apps/config.yaml": "replicas: 1\n" })
  const sshd = await startSshd()
  t.after(() => sshd.stop())
  const other = await startSshd()
  t.after(() => other.stop())
  const url = `ssh://${sshd.user}@127.0.0.1:${sshd.port}${join(root, "fleet.git")}`
  // Wrong credentials: a key the server does not authorize (the other server's).
  await scenario(env, "ssh", url, repo, { identity: b64(sshd.clientKey), known_hosts: b64(sshd.knownHosts) }, { identity: b64(other.clientKey), known_hosts: b64(sshd.knownHosts) })
  // A changed host key (known_hosts names this host with another server's key) is refused.
  const changed = other.knownHosts.replace(`]:${other.port} `, `]:${sshd.port} `)
  assert.notEqual(changed, other.knownHosts)
  await env.kube.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: "ssh-auth", namespace: "default" }, data: { identity: b64(sshd.clientKey), known_hosts: b64(changed) } }, { fieldManager: "test", force: true })
  await env.kube.patch(env.repos, "default", "ssh", "merge", { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": "host-key-check" } } })
  const o = await until(env.kube, env.repos, "ssh", "changed host key", (o) => ready(o)?.reason === "UnknownHostKey", 10_000)
  assert.equal(ready(o)?.status, "False")
  assert.match(ready(o)?.message, /host key/i)
})

test("GitRepository over file:// and bad input: missing branch, malformed URL", { timeout: 60_000 }, async (t) => {
  const env = await setup(t)
  const root = tempDir(t)
  const repo = makeRepo(root, "fleet", { "README.md": "# fleet\n", "apps/config.yaml": "replicas: 1\n" })
  await scenario(env, "file", `file://${repo.bare}`, repo, undefined, undefined)

  await env.kube.apply(gitRepo("nobranch", `file://${repo.bare}`, { ref: { branch: "does-not-exist" } }), { fieldManager: "test" })
  let o = await until(env.kube, env.repos, "nobranch", "missing branch", (o) => ready(o)?.status === "False")
  assert.equal(ready(o)?.reason, "RefNotFound")
  assert.match(ready(o)?.message, /does-not-exist/)

  // Not a URL at all: the API server refuses it with the field path (the CRD's pattern).
  await assert.rejects(env.kube.apply(gitRepo("notaurl", "htp:/nowhere"), { fieldManager: "test" }), /spec\.url/)
  // Shaped like a URL but malformed: the actor says so and stalls.
  await env.kube.apply(gitRepo("badurl", "https://bad host/fleet.git"), { fieldManager: "test" })
  o = await until(env.kube, env.repos, "badurl", "malformed URL", (o) => ready(o)?.status === "False")
  assert.equal(ready(o)?.reason, "InvalidURL")
  assert.ok(o.status.conditions.some((c: { type: string; status: string }) => c.type === "Stalled" && c.status === "True"), "a malformed URL stalls until the spec changes")

  await env.kube.apply(gitRepo("unreachable", "http://127.0.0.1:1/fleet.git"), { fieldManager: "test" })
  o = await until(env.kube, env.repos, "unreachable", "unreachable host", (o) => ready(o)?.status === "False")
  assert.equal(ready(o)?.reason, "GitOperationFailed")
  assert.match(ready(o)?.message, /127\.0\.0\.1:1/)
  // Retried with backoff (1 s, 2 s, ...), not at the 2 s interval and not in a loop.
  const client = new Client(new NatsTransport(env.nc))
  const st = await waitFor("a second failure", async () => {
    const r = await client.command({ kind: "gitrepository", namespace: "default", name: "unreachable" }, { type: "status" })
    return r.ok && r.status.failures >= 2 ? r.status : undefined
  }, 10_000, 100)
  assert.equal(st.phase, "backoff")
  assert.ok(st.runs <= st.failures + 1)

  // A symlink that points outside the tree fails the revision; nothing is stored for it.
  const evil = makeRepo(root, "evil", { "README.md": "# evil\n" })
  symlinkSync("../../../etc/passwd", join(evil.work, "passwd"))
  evil.git("add", "-A")
  evil.git("commit", "-q", "-m", "escape")
  evil.git("push", "-q", evil.bare, "HEAD:refs/heads/master")
  await env.kube.apply(gitRepo("evil", `file://${evil.bare}`), { fieldManager: "test" })
  o = await until(env.kube, env.repos, "evil", "unsafe path", (o) => ready(o)?.status === "False")
  assert.equal(ready(o)?.reason, "UnsafePath")
  assert.match(ready(o)?.message, /passwd/)
  assert.equal(o.status.artifact, undefined)
})
