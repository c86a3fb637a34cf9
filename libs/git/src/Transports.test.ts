// Every transport against a real server on loopback: git daemon, git
// http-backend with basic auth, OpenSSH's sshd, and a local path.
import { test, type TestContext } from "node:test"
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { hasSshd, startGitDaemon, startGitHttp, startSshd } from "@moor/testing"
import { fetchRevision, resolveRevision, type GitAuth, type GitError, type TreeFile } from "./index.ts"
import { makeTestRepo, type TestRepo } from "./__fixtures__/testRepo.ts"

interface Setup {
  readonly url: string
  readonly auth: GitAuth
  /** Credentials the server must refuse, when the transport has any. */
  readonly wrongAuth?: GitAuth
  readonly local?: boolean
}

const tmp = (t: TestContext, prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const contents = async (files: AsyncIterable<TreeFile>) => {
  const out: Record<string, string> = {}
  for await (const f of files) out[f.path] = Buffer.from(f.data).toString("utf8")
  return out
}

const rejectsWith = async (p: Promise<unknown>, reason: string, pattern?: RegExp) => {
  await assert.rejects(p, (e: GitError) => {
    assert.equal(e._tag, "GitError")
    assert.equal(e.reason, reason, e.message)
    if (pattern) assert.match(e.message, pattern)
    return true
  })
}

/** The behaviour every transport must show; `serve` starts a server for the repository root. */
const transportSuite = async (t: TestContext, serve: (t: TestContext, root: string, name: string) => Promise<Setup>) => {
  const root = tmp(t, "moor-git-repos-")
  const cacheDir = tmp(t, "moor-git-cache-")
  const repo: TestRepo = makeTestRepo(root, "app.git")
  const first = repo.commit({ "deploy/app.yaml": "kind: ConfigMap\n", "README.md": "hello\n", "logo.png": "png" })
  repo.tag("v1.0.0")
  const second = repo.commit({ "deploy/app.yaml": "kind: ConfigMap # v1.2\n" })
  repo.tag("v1.2.0")
  repo.commit({ "deploy/app.yaml": "kind: ConfigMap # v2\n" })
  repo.tag("v2.0.0-rc.1")
  const dev = repo.commit({ "dev.txt": "dev\n" }, "dev")
  const setup = await serve(t, root, "app.git")
  const { url, auth } = setup
  const head = (await import("./__fixtures__/testRepo.ts")).git(repo.bare, "rev-parse", "refs/heads/master")

  await t.test("fetches the default branch (master) with Flux's revision", async () => {
    const r = await fetchRevision({ url, auth, cacheDir })
    assert.equal(r.revision, `master@sha1:${head}`)
    assert.equal(r.commit, head)
    const files = await contents(r.tree.files())
    assert.deepEqual(files, { "README.md": "hello\n", "deploy/app.yaml": "kind: ConfigMap # v2\n" }, "logo.png is a default exclusion")
  })

  await t.test("the cheap check reports the same revision without fetching", async () => {
    const r = await resolveRevision({ url, auth })
    assert.equal(r.revision, `master@sha1:${head}`)
    const again = await fetchRevision({ url, auth, cacheDir })
    assert.equal(again.fetched, false, "the commit was already cached")
  })

  await t.test("a pushed commit is seen by the check and fetched incrementally", async () => {
    const next = repo.commit({ "deploy/app.yaml": "kind: ConfigMap # v3\n" })
    assert.equal((await resolveRevision({ url, auth })).revision, `master@sha1:${next}`)
    const r = await fetchRevision({ url, auth, cacheDir })
    assert.equal(r.revision, `master@sha1:${next}`)
    assert.equal(r.fetched, !setup.local, "a remote is fetched; a local repository is read in place")
    assert.equal((await contents(r.tree.files()))["deploy/app.yaml"], "kind: ConfigMap # v3\n")
  })

  await t.test("branch, tag, semver, name and commit refs", async () => {
    const branch = await fetchRevision({ url, auth, cacheDir, ref: { branch: "dev" } })
    assert.equal(branch.revision, `dev@sha1:${dev}`)
    assert.equal((await contents(branch.tree.files()))["dev.txt"], "dev\n")
    const tag = await fetchRevision({ url, auth, cacheDir, ref: { tag: "v1.0.0", branch: "dev" } })
    assert.equal(tag.revision, `v1.0.0@sha1:${first}`, "an annotated tag is peeled to its commit; tag beats branch")
    const semver = await fetchRevision({ url, auth, cacheDir, ref: { semver: "^1.0.0", tag: "v2.0.0-rc.1" } })
    assert.equal(semver.revision, `v1.2.0@sha1:${second}`, "highest match; prereleases excluded; semver beats tag")
    const name = await fetchRevision({ url, auth, cacheDir, ref: { name: "refs/heads/dev", semver: "*" } })
    assert.equal(name.revision, `refs/heads/dev@sha1:${dev}`)
    const pinned = await fetchRevision({ url, auth, cacheDir, ref: { commit: first, branch: "master" } })
    assert.equal(pinned.revision, `master@sha1:${first}`, "a commit in the branch's history")
    assert.equal((await contents(pinned.tree.files()))["deploy/app.yaml"], "kind: ConfigMap\n")
    const bare = await fetchRevision({ url, auth, cacheDir, ref: { commit: dev } })
    assert.equal(bare.revision, `sha1:${dev}`)
  })

  await t.test("a missing branch, tag, semver match or commit is RefNotFound", async () => {
    await rejectsWith(fetchRevision({ url, auth, cacheDir, ref: { branch: "nope" } }), "RefNotFound", /branch "nope" not found/)
    await rejectsWith(fetchRevision({ url, auth, cacheDir, ref: { tag: "v9" } }), "RefNotFound", /tag "v9" not found/)
    await rejectsWith(fetchRevision({ url, auth, cacheDir, ref: { semver: ">=5" } }), "RefNotFound", /no tag matches/)
    await rejectsWith(
      fetchRevision({ url, auth, cacheDir, ref: { commit: "0123456789012345678901234567890123456789", branch: "master" } }),
      "RefNotFound",
      /commit 0123456789012345678901234567890123456789 not found/,
    )
  })

  if (setup.wrongAuth) {
    await t.test("wrong credentials are AuthenticationFailed, without leaking them", async () => {
      await assert.rejects(fetchRevision({ url, auth: setup.wrongAuth!, cacheDir }), (e: GitError) => {
        assert.equal(e.reason, "AuthenticationFailed", e.message)
        for (const secret of [setup.wrongAuth!.password, setup.wrongAuth!.identity]) if (secret) assert.ok(!e.message.includes(secret))
        return true
      })
    })
  }
}

test("git:// (git daemon)", async (t) => {
  await transportSuite(t, async (t, root, name) => {
    const d = await startGitDaemon(root)
    t.after(() => d.stop())
    return { url: d.url(name), auth: {} }
  })
  await t.test("a repository the daemon does not have is GitOperationFailed with the daemon's message", async () => {
    const d = await startGitDaemon(tmp(t, "moor-git-empty-"))
    t.after(() => d.stop())
    await rejectsWith(resolveRevision({ url: d.url("missing.git") }), "GitOperationFailed", /not exported|access denied/)
  })
})

test("smart HTTP (git http-backend) with basic auth", async (t) => {
  await transportSuite(t, async (t, root, name) => {
    const s = await startGitHttp(root, { username: "flux", password: "s3cret-pass" })
    t.after(() => s.stop())
    return { url: s.url(name), auth: { username: "flux", password: "s3cret-pass" }, wrongAuth: { username: "flux", password: "wrong-pass" } }
  })
})

test("ssh (OpenSSH sshd) with key auth and known_hosts", { skip: !hasSshd() && "sshd not installed (openssh-server)" }, async (t) => {
  const sshd = await startSshd()
  t.after(() => sshd.stop())
  const other = await startSshd()
  t.after(() => other.stop())
  await transportSuite(t, async (_t, root, name) => ({
    url: `ssh://${sshd.user}@127.0.0.1:${sshd.port}${join(root, name)}`,
    auth: { identity: sshd.clientKey, knownHosts: sshd.knownHosts },
    wrongAuth: { identity: other.clientKey, knownHosts: sshd.knownHosts },
  }))
  const root = tmp(t, "moor-git-ssh-")
  const repo = makeTestRepo(root, "r.git")
  repo.commit({ "a.yaml": "a: 1\n" })
  const url = `ssh://${sshd.user}@127.0.0.1:${sshd.port}${repo.bare}`

  await t.test("an unknown host is refused (no trust on first use)", async () => {
    const knownHosts = other.knownHosts // lists another port only
    await rejectsWith(resolveRevision({ url, auth: { identity: sshd.clientKey, knownHosts } }), "UnknownHostKey", /not in known_hosts/)
    await rejectsWith(resolveRevision({ url, auth: { identity: sshd.clientKey } }), "UnknownHostKey", /no "known_hosts"/)
  })
  await t.test("a changed host key is refused", async () => {
    const knownHosts = other.knownHosts.replace(`]:${other.port} `, `]:${sshd.port} `) // right host, wrong key
    await rejectsWith(resolveRevision({ url, auth: { identity: sshd.clientKey, knownHosts } }), "UnknownHostKey", /does not match known_hosts/)
  })
  await t.test("a missing or unreadable key is AuthenticationFailed", async () => {
    await rejectsWith(resolveRevision({ url, auth: { knownHosts: sshd.knownHosts } }), "AuthenticationFailed", /no "identity"/)
    await rejectsWith(resolveRevision({ url, auth: { identity: "not a key", knownHosts: sshd.knownHosts } }), "AuthenticationFailed", /cannot read the private key/)
  })
})

test("ssh with a passphrase-protected key", { skip: !hasSshd() && "sshd not installed (openssh-server)" }, async (t) => {
  const sshd = await startSshd({ clientKeyPassphrase: "pass phrase" })
  t.after(() => sshd.stop())
  const repo = makeTestRepo(tmp(t, "moor-git-ssh-"), "r.git")
  const c = repo.commit({ "a.yaml": "a: 1\n" })
  const url = `ssh://${sshd.user}@127.0.0.1:${sshd.port}${repo.bare}`
  assert.equal((await resolveRevision({ url, auth: { identity: sshd.clientKey, password: "pass phrase", knownHosts: sshd.knownHosts } })).commit, c)
  await rejectsWith(resolveRevision({ url, auth: { identity: sshd.clientKey, password: "wrong", knownHosts: sshd.knownHosts } }), "AuthenticationFailed", /encrypted/)
})

test("file:// and local paths", async (t) => {
  await transportSuite(t, async (_t, root, name) => ({ url: `file://${join(root, name)}`, auth: {}, local: true }))
  const repo = makeTestRepo(tmp(t, "moor-git-local-"), "r.git")
  const c = repo.commit({ "a.yaml": "a: 1\n" })
  assert.equal((await resolveRevision({ url: repo.bare })).commit, c)
  assert.equal((await resolveRevision({ url: repo.work })).commit, c, "a working copy with .git works too")
  await rejectsWith(resolveRevision({ url: "/nonexistent/repo.git" }), "GitOperationFailed", /no Git repository/)
})

test("an unreachable host is GitOperationFailed", async () => {
  await rejectsWith(resolveRevision({ url: "git://127.0.0.1:1/x.git", timeoutMs: 5000 }), "GitOperationFailed", /cannot connect|ECONNREFUSED/)
  await rejectsWith(resolveRevision({ url: "http://127.0.0.1:1/x.git", timeoutMs: 5000 }), "GitOperationFailed", /ECONNREFUSED/)
})

test("a fetch over the size limit is RepositoryTooLarge", async (t) => {
  const root = tmp(t, "moor-git-big-")
  const repo = makeTestRepo(root, "big.git")
  repo.commit({ "big.txt": "x".repeat(1) + Array.from({ length: 20000 }, (_, i) => `${i * 7919}`).join("\n") })
  const d = await startGitDaemon(root)
  t.after(() => d.stop())
  await rejectsWith(fetchRevision({ url: d.url("big.git"), cacheDir: tmp(t, "moor-git-cache-"), maxFetchBytes: 10_000 }), "RepositoryTooLarge", /limit of 10000 bytes/)
})
