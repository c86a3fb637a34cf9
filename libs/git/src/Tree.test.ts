// Tree safety and exclusions, on repositories crafted with the git CLI.
import { test } from "node:test"
import assert from "node:assert/strict"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fetchRevision, type GitError } from "./index.ts"
import { git, makeTestRepo } from "./__fixtures__/testRepo.ts"

const tmp = (t: { after(f: () => void): void }) => {
  const d = mkdtempSync(join(tmpdir(), "moor-git-tree-"))
  t.after(() => rmSync(d, { recursive: true, force: true }))
  return d
}

test("checkout writes files, modes and in-tree symlinks; .sourceignore and spec.ignore apply", async (t) => {
  const root = tmp(t)
  const repo = makeTestRepo(root, "r.git")
  repo.commit({
    "deploy/app.yaml": "a\n",
    "deploy/secret.enc.yaml": "s\n",
    "deploy/link.yaml": "symlink:app.yaml",
    "deploy/.sourceignore": "*.enc.yaml\n",
    "docs/readme.md": "doc\n",
    ".github/workflows/ci.yaml": "ci\n",
  })
  const r = await fetchRevision({ url: repo.bare, cacheDir: join(root, "cache") })
  const out = join(root, "out")
  assert.equal(await r.tree.checkout(out), 4)
  assert.equal(readFileSync(join(out, "deploy", "app.yaml"), "utf8"), "a\n")
  assert.equal(readlinkSync(join(out, "deploy", "link.yaml")), "app.yaml")
  const paths = async (ignore?: string) => {
    const ps: string[] = []
    for await (const f of r.tree.files(ignore === undefined ? {} : { ignore })) ps.push(f.path)
    return ps
  }
  assert.deepEqual(await paths(), ["deploy/.sourceignore", "deploy/app.yaml", "deploy/link.yaml", "docs/readme.md"])
  assert.deepEqual(await paths("/docs/\n"), [".github/workflows/ci.yaml", "deploy/.sourceignore", "deploy/app.yaml", "deploy/link.yaml"], "spec.ignore replaces the defaults")
})

const craft = (root: string, entries: string[]) => {
  const repo = makeTestRepo(root, "evil.git")
  repo.commit({ "ok.yaml": "ok\n" })
  const blob = git(repo.bare, "rev-parse", "HEAD:ok.yaml")
  const lines = entries.map((e) => e.replace("BLOB", blob)).join("\n") + "\n"
  const tree = execGit(repo.bare, ["mktree"], lines)
  const commit = execGit(repo.bare, ["commit-tree", tree, "-m", "evil"], "")
  git(repo.bare, "update-ref", "refs/heads/master", commit)
  return repo.bare
}
const execGit = (cwd: string, args: string[], input: string) =>
  execFileSync("git", args, { cwd, input, env: { ...process.env, GIT_AUTHOR_NAME: "x", GIT_AUTHOR_EMAIL: "x@x", GIT_COMMITTER_NAME: "x", GIT_COMMITTER_EMAIL: "x@x" } })
    .toString()
    .trim()

const unsafe = async (t: { after(f: () => void): void }, entries: string[], message: RegExp) => {
  const root = tmp(t)
  const bare = craft(root, entries)
  const r = await fetchRevision({ url: bare, cacheDir: join(root, "cache") })
  await assert.rejects(r.tree.checkout(join(root, "out")), (e: GitError) => {
    assert.equal(e.reason, "UnsafePath")
    assert.match(e.message, message)
    return true
  })
}

test("a '..' path in a tree is refused", async (t) => {
  await unsafe(t, ["100644 blob BLOB\t.."], /unsafe path "\.\."/)
})

test("a symlink pointing outside the tree is refused", async (t) => {
  const root = tmp(t)
  const bare = (() => {
    const repo = makeTestRepo(root, "links.git")
    repo.commit({ "escape": "symlink:../../etc/passwd" })
    return repo.bare
  })()
  const r = await fetchRevision({ url: bare, cacheDir: join(root, "cache") })
  await assert.rejects(r.tree.checkout(join(root, "out")), /symlink "escape" points outside the tree/)
  const repo2 = makeTestRepo(root, "abs.git")
  repo2.commit({ "abs": "symlink:/etc/passwd" })
  const r2 = await fetchRevision({ url: repo2.bare, cacheDir: join(root, "cache2") })
  await assert.rejects(r2.tree.checkout(join(root, "out2")), /points to the absolute path/)
})
