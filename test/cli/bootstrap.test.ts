// `moor bootstrap git|github|gitea` against the embedded API server, with the
// source and kustomize services in this process doing what the installed
// Deployments do in a real cluster, and real git servers behind the URLs.
import { test } from "node:test"
import assert from "node:assert/strict"
import { execFileSync, spawn } from "node:child_process"
import { createServer, type IncomingMessage } from "node:http"
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { parse, parseAllDocuments } from "yaml"
import { hasSshd, startGitDaemon, startGitHttp, startSshd, waitFor, type Sshd } from "@moor/testing"
import { makeRepo, repoRoot, tempDir } from "../harness.ts"
import { startServices } from "../kustomize/services.ts"

const bin = join(repoRoot, "services", "cli", "bin", "moor.js")
const moor = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const c = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    c.stdout.on("data", (d) => (out += d))
    c.stderr.on("data", (d) => (err += d))
    c.on("exit", (code) => resolve({ code, out, err }))
  })
const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim()
const configMap = (name: string, value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  value: "${value}"\n`
const ready = (o: { status?: { conditions?: { type: string; status: string }[] } } | undefined) => o?.status?.conditions?.find((c) => c.type === "Ready")?.status === "True"

test("bootstrap git over git://: flux-system committed once, cluster synced, a push followed, operated with moor", { timeout: 240_000 }, async (t) => {
  const c = await startServices(t)
  const root = tempDir(t)
  const repo = makeRepo(root, "fleet", { "clusters/dev/app.yaml": configMap("app", "one") }, "main")
  const daemon = await startGitDaemon(root, { push: true })
  t.after(() => daemon.stop())
  const args = ["bootstrap", "git", "--url", daemon.url("fleet.git"), "--branch", "main", "--path", "clusters/dev", "--kubeconfig", c.kubeconfig, "--timeout", "90s"]

  let r = await moor(args)
  assert.equal(r.code, 0, r.err)
  const head = repo.head()
  assert.notEqual(head, repo.first, "bootstrap committed")
  assert.match(r.err, /GitRepository reconciled successfully/)
  assert.match(r.err, /Kustomization reconciled successfully/)
  // Flux's file names and contents, so an existing Flux repository is recognised.
  const show = (p: string) => git(repo.bare, "show", `main:${p}`)
  const sync = parseAllDocuments(show("clusters/dev/flux-system/gotk-sync.yaml")).map((d) => d.toJS())
  assert.deepEqual(sync[0].spec, { interval: "1m0s", ref: { branch: "main" }, url: daemon.url("fleet.git") })
  assert.deepEqual(sync[1].spec, { interval: "10m0s", path: "./clusters/dev", prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" } })
  assert.deepEqual(parse(show("clusters/dev/flux-system/kustomization.yaml")).resources, ["gotk-components.yaml", "gotk-sync.yaml"])
  const components = parseAllDocuments(show("clusters/dev/flux-system/gotk-components.yaml")).map((d) => d.toJS())
  assert.equal(components[0].kind, "Namespace")
  assert.ok(components.some((o) => o.metadata.name === "gitrepositories.source.toolkit.fluxcd.io"))
  assert.ok(!components.some((o) => o.metadata.name === "imagepolicies.image.toolkit.fluxcd.io"), "image CRDs only with --components-extra")
  // the cluster holds the repository's ConfigMap, applied by the flux-system Kustomization
  const cm = await c.kube.resource("v1", "ConfigMap")
  assert.equal(((await c.kube.get(cm, "default", "app")).data as Record<string, string>).value, "one")

  // Idempotent: the second run commits nothing.
  r = await moor(args)
  assert.equal(r.code, 0, r.err)
  assert.match(r.err, /manifests are up to date/)
  assert.equal(repo.head(), head, "no second commit")

  // The cluster follows a push to <path>.
  repo.git("pull", "-q", repo.bare, "main")
  const pushed = repo.commit({ "clusters/dev/app.yaml": configMap("app", "two") }, "change app")
  const gr = await c.kube.resource("source.toolkit.fluxcd.io/v1", "GitRepository")
  await c.kube.patch(gr, "flux-system", "flux-system", "merge", { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": "push" } } })
  await waitFor("the pushed ConfigMap", async () => ((await c.kube.get(cm, "default", "app")).data as Record<string, string>).value === "two", 60_000, 200)
  await waitFor("Kustomization at the pushed commit", async () => {
    const k = await c.kube.get(await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization"), "flux-system", "flux-system")
    return k.status?.lastAppliedRevision === `main@sha1:${pushed}` && ready(k)
  }, 30_000, 200)

  // The everyday commands on the bootstrapped cluster.
  const kc = ["--kubeconfig", c.kubeconfig]
  r = await moor(["get", "kustomizations", "-A", ...kc])
  assert.equal(r.code, 0, r.err)
  assert.match(r.out, new RegExp(`flux-system\\s+flux-system\\s+main@sha1:${pushed}\\s+False\\s+True\\s+Applied revision`))
  r = await moor(["get", "all", "-n", "flux-system", ...kc])
  assert.equal(r.code, 0, r.err)
  assert.match(r.out, /^NAME\s+REVISION\s+SUSPENDED\s+READY\s+MESSAGE\s*\ngitrepository\/flux-system\s+main@sha1:/m)
  assert.match(r.out, /^kustomization\/flux-system\s+main@sha1:\S+\s+False\s+True/m)
  r = await moor(["get", "sources", "git", "-n", "flux-system", "-o", "json", ...kc])
  assert.equal(r.code, 0, r.err)
  assert.equal(JSON.parse(r.out).items?.[0]?.status?.artifact?.revision ?? JSON.parse(r.out).status?.artifact?.revision, `main@sha1:${pushed}`)
  r = await moor(["reconcile", "kustomization", "flux-system", "-n", "flux-system", "--with-source", ...kc])
  assert.equal(r.code, 0, r.err)
  assert.match(r.err, /applied revision main@sha1:/)
  r = await moor(["suspend", "kustomization", "flux-system", "-n", "flux-system", ...kc])
  assert.equal(r.code, 0, r.err)
  const ks = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  assert.equal((await c.kube.get(ks, "flux-system", "flux-system")).spec.suspend, true)
  r = await moor(["resume", "kustomization", "flux-system", "-n", "flux-system", ...kc])
  assert.equal(r.code, 0, r.err)
  assert.notEqual((await c.kube.get(ks, "flux-system", "flux-system")).spec.suspend, true)
  r = await moor(["events", "--for", "Kustomization/flux-system", "-n", "flux-system", "--nats", c.nats.url])
  assert.equal(r.code, 0, r.err)
  assert.match(r.out, /ReconciliationSucceeded/)
  r = await moor(["export", "kustomization", "flux-system", "-n", "flux-system", ...kc])
  assert.equal(r.code, 0, r.err)
  // what bootstrap committed, plus the CRD's default for force (as flux export prints it)
  const { force, ...exported } = parse(r.out).spec
  assert.equal(force, false)
  assert.deepEqual(exported, sync[1].spec, "export gives back what bootstrap committed")
  // diff and build of the working copy: the same tree makes no difference; an edit does.
  repo.git("pull", "-q", repo.bare, "main")
  const local = join(repo.work, "clusters", "dev")
  r = await moor(["build", "kustomization", "flux-system", "-n", "flux-system", "--path", local, ...kc])
  assert.equal(r.code, 0, r.err)
  assert.match(r.out, /kind: GitRepository[\s\S]*name: app\n/)
  r = await moor(["diff", "kustomization", "flux-system", "-n", "flux-system", "--path", local, ...kc])
  assert.equal(r.code, 0, `${r.out}\n${r.err}`)
  writeFileSync(join(local, "app.yaml"), configMap("app", "three"))
  r = await moor(["diff", "kustomization", "flux-system", "-n", "flux-system", "--path", local, ...kc])
  assert.equal(r.code, 1, `${r.out}\n${r.err}`)
  assert.match(r.out, /ConfigMap\/default\/app drifted/)

  // Bad input: one line and a hint, non-zero exit.
  r = await moor(["bootstrap", "git", "--url", "http://example.invalid/fleet.git", "--password", "secret", "--kubeconfig", c.kubeconfig])
  assert.equal(r.code, 2)
  assert.match(r.err, /refusing to send credentials over plain http/)
  assert.doesNotMatch(r.err, /secret/)
})

test("bootstrap git over ssh: with --private-key-file, then with the agent and a generated deploy key", { skip: hasSshd() ? false : "sshd is not installed", timeout: 120_000 }, async (t) => {
  const c = await startServices(t)
  const root = tempDir(t)
  const repo = makeRepo(root, "fleet", { "clusters/dev/app.yaml": configMap("app", "ssh") }, "main")
  const sshd = await startSshd()
  t.after(() => sshd.stop())
  const key = join(root, "id")
  writeFileSync(key, sshd.clientKey, { mode: 0o600 })
  const url = `ssh://${sshd.user}@127.0.0.1:${sshd.port}${repo.bare}`
  const args = ["bootstrap", "git", "--url", url, "--branch", "main", "--path", "clusters/dev", "--private-key-file", key, "--kubeconfig", c.kubeconfig, "--timeout", "90s"]
  let r = await moor(args)
  assert.equal(r.code, 0, r.err)
  const head = repo.head()
  assert.notEqual(head, repo.first)
  const cm = await c.kube.resource("v1", "ConfigMap")
  assert.equal(((await c.kube.get(cm, "default", "app")).data as Record<string, string>).value, "ssh")
  // the cluster's Git secret: the identity and the server's host key, as Flux stores them
  const secret = await c.kube.get(await c.kube.resource("v1", "Secret"), "flux-system", "flux-system")
  const data = Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]))
  assert.equal(data.identity!.trim(), sshd.clientKey.trim())
  assert.match(data.known_hosts!, new RegExp(`\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `))
  const sync = parseAllDocuments(git(repo.bare, "show", "main:clusters/dev/flux-system/gotk-sync.yaml")).map((d) => d.toJS())
  assert.deepEqual(sync[0].spec.secretRef, { name: "flux-system" })
  assert.ok(!r.err.includes(sshd.clientKey.split("\n")[1]!), "no key material on screen")

  // Without --private-key-file, as Flux: the user's ssh agent pushes, and the cluster gets a new deploy key,
  // printed for the user to register (here: authorized on the server as soon as it shows).
  const secrets = await c.kube.resource("v1", "Secret")
  await c.kube.delete(secrets, "flux-system", "flux-system")
  const sock = join(root, "agent.sock")
  const agent = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" })
  t.after(() => agent.kill())
  await waitFor("ssh-agent", () => existsSync(sock), 10_000, 50)
  execFileSync("ssh-add", ["-q", key], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: "ignore" })
  let printed = ""
  r = await new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args.filter((a, i) => a !== "--private-key-file" && args[i - 1] !== "--private-key-file")], {
      env: { ...process.env, NO_COLOR: "1", SSH_AUTH_SOCK: sock },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let out = ""
    let err = ""
    p.stdout.on("data", (d) => (out += d))
    p.stderr.on("data", (d) => {
      err += d
      const m = /public key: (\S+ \S+)/.exec(err)
      if (m && !printed) sshd.authorize((printed = m[1]!))
    })
    p.on("exit", (code) => resolve({ code, out, err }))
  })
  assert.equal(r.code, 0, r.err)
  assert.match(r.err, /Please give the key access to your repository/)
  assert.match(printed, /^ecdsa-sha2-nistp384 /)
  const generated = Object.fromEntries(Object.entries((await c.kube.get(secrets, "flux-system", "flux-system")).data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]))
  assert.equal(generated["identity.pub"]!.trim().split(" ").slice(0, 2).join(" "), printed)
  assert.notEqual(generated.identity!.trim(), sshd.clientKey.trim())
  assert.equal(repo.head(), head, "no second commit")
})

/** A recording stand-in for the GitHub (/api/v3) and Gitea (/api/v1) APIs: repositories live under `root`. */
const startFakeProvider = async (root: string, token: string, cloneBase: (p: string) => string, sshd: Sshd | undefined) => {
  const calls: { method: string; path: string; auth: string | undefined; body: any }[] = []
  const repos = new Map<string, { private: boolean }>()
  const keys = new Map<string, { id: number; title: string; key: string; read_only: boolean }[]>()
  const info = (full: string) => ({
    full_name: full,
    private: repos.get(full)!.private,
    default_branch: "main",
    clone_url: cloneBase(`${full}.git`),
    ssh_url: sshd ? `ssh://${sshd.user}@127.0.0.1:${sshd.port}${join(root, full)}.git` : `git@127.0.0.1:${full}.git`,
  })
  const body = (req: IncomingMessage) => new Promise<any>((r) => {
    let s = ""
    req.on("data", (d) => (s += d))
    req.on("end", () => r(s ? JSON.parse(s) : undefined))
  })
  const server = createServer(async (req, res) => {
    const path = new URL(req.url!, "http://x").pathname.replace(/^\/api\/v[13]/, "")
    const b = await body(req)
    calls.push({ method: req.method!, path, auth: req.headers.authorization, body: b })
    const json = (status: number, v: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(v))
    if (req.headers.authorization !== `token ${token}`) return json(401, { message: "Bad credentials" })
    let m
    if (req.method === "GET" && (m = /^\/repos\/([^/]+)\/([^/]+)$/.exec(path))) {
      const full = `${m[1]}/${m[2]}`
      return repos.has(full) ? json(200, info(full)) : json(404, { message: "Not Found" })
    }
    if (req.method === "POST" && (m = /^\/(?:user|orgs\/([^/]+))\/repos$/.exec(path))) {
      const full = `${m[1] ?? "me"}/${b.name}`
      execFileSync("git", ["init", "-q", "--bare", "-b", "main", join(root, `${full}.git`)])
      repos.set(full, { private: b.private })
      return json(201, info(full))
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/keys$/.exec(path))) {
      const full = `${m[1]}/${m[2]}`
      const list = keys.get(full) ?? []
      if (req.method === "GET") return json(200, list)
      const k = { id: list.length + 1, title: b.title, key: b.key, read_only: b.read_only }
      keys.set(full, [...list, k])
      sshd?.authorize(b.key)
      return json(201, k)
    }
    json(404, { message: "Not Found" })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const port = (server.address() as { port: number }).port
  return { url: `http://127.0.0.1:${port}`, calls, keys, stop: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) }
}

test("bootstrap github --token-auth against a recording API", { skip: hasSshd() ? false : "sshd is not installed", timeout: 120_000 }, async (t) => {
  const c = await startServices(t)
  const root = tempDir(t)
  const token = "ghp_test_token_0123456789"
  const gitHttp = await startGitHttp(root, { username: "git", password: token })
  t.after(() => gitHttp.stop())

  // GitHub, personal repository, token kept in the cluster.
  const gh = await startFakeProvider(root, token, (p) => gitHttp.url(p), undefined)
  t.after(() => gh.stop())
  const ghArgs = ["bootstrap", "github", "--owner", "me", "--repository", "fleet", "--personal", "--token-auth", "--hostname", gh.url, "--path", "clusters/dev", "--kubeconfig", c.kubeconfig, "--timeout", "90s"]
  let r = await moor(ghArgs, { GITHUB_TOKEN: token })
  assert.equal(r.code, 0, r.err)
  assert.deepEqual(gh.calls.map((x) => `${x.method} ${x.path}`), ["GET /repos/me/fleet", "POST /user/repos"])
  assert.equal(gh.calls[1]!.body.private, true, "private by default")
  assert.ok(gh.calls.every((x) => x.auth === `token ${token}`))
  assert.ok(!r.err.includes(token) && !r.out.includes(token), "the token is never printed")
  const head = git(join(root, "me/fleet.git"), "rev-parse", "main")
  assert.match(git(join(root, "me/fleet.git"), "ls-tree", "-r", "--name-only", "main"), /clusters\/dev\/flux-system\/gotk-sync.yaml/)
  const secrets = await c.kube.resource("v1", "Secret")
  const data = (await c.kube.get(secrets, "flux-system", "flux-system")).data as Record<string, string>
  assert.equal(Buffer.from(data.password!, "base64").toString(), token)
  assert.equal(Buffer.from(data.username!, "base64").toString(), "git")
  // again: the repository exists, nothing is committed
  r = await moor(ghArgs, { GITHUB_TOKEN: token })
  assert.equal(r.code, 0, r.err)
  assert.equal(gh.calls.filter((x) => x.method === "POST").length, 1)
  assert.equal(git(join(root, "me/fleet.git"), "rev-parse", "main"), head)
  // no token: one line and a hint
  r = await moor(ghArgs, { GITHUB_TOKEN: "" })
  assert.equal(r.code, 1)
  assert.match(r.err, /GITHUB_TOKEN environment variable not found/)

})

test("bootstrap gitea: token auth over plain HTTP refused; a deploy key, against a recording API", { skip: hasSshd() ? false : "sshd is not installed", timeout: 120_000 }, async (t) => {
  const c = await startServices(t)
  const root = tempDir(t)
  const token = "gitea_test_token_0123456789"
  const gitHttp = await startGitHttp(root, { username: "git", password: token })
  t.after(() => gitHttp.stop())
  const secrets = await c.kube.resource("v1", "Secret")
  // Token auth over plain HTTP is refused, pointing to bootstrap git.
  const sshd = await startSshd()
  t.after(() => sshd.stop())
  const gt = await startFakeProvider(root, token, (p) => gitHttp.url(p), sshd)
  t.after(() => gt.stop())
  let r = await moor(["bootstrap", "gitea", "--owner", "org", "--repository", "fleet", "--token-auth", "--hostname", gt.url, "--kubeconfig", c.kubeconfig], { GITEA_TOKEN: token })
  assert.equal(r.code, 1)
  assert.match(r.err, /bootstrap git .*--allow-insecure-http --token-auth/)
  assert.equal(gt.calls.length, 0)

  // An organization repository, with a deploy key: the cluster pulls over ssh.
  r = await moor(["bootstrap", "gitea", "--owner", "org", "--repository", "fleet", "--hostname", gt.url, "--path", "clusters/gitea", "--kubeconfig", c.kubeconfig, "--timeout", "90s"], { GITEA_TOKEN: token })
  assert.equal(r.code, 0, r.err)
  assert.deepEqual(gt.calls.map((x) => `${x.method} ${x.path}`), ["GET /repos/org/fleet", "POST /orgs/org/repos", "GET /repos/org/fleet/keys", "POST /repos/org/fleet/keys"])
  const key = gt.keys.get("org/fleet")![0]!
  assert.equal(key.read_only, true)
  assert.match(key.key, /^ecdsa-sha2-nistp384 /)
  const gdata = (await c.kube.get(secrets, "flux-system", "flux-system")).data as Record<string, string>
  assert.equal(Buffer.from(gdata["identity.pub"]!, "base64").toString().trim().split(" ").slice(0, 2).join(" "), key.key)
  const repoObj = await c.kube.get(await c.kube.resource("source.toolkit.fluxcd.io/v1", "GitRepository"), "flux-system", "flux-system")
  assert.match(repoObj.spec.url, /^ssh:\/\//)
  assert.ok(ready(repoObj))
  assert.ok(existsSync(join(root, "org/fleet.git")))
})
