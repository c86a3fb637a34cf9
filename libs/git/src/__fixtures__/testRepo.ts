// Test repositories made with the git CLI (fine in tests; moor's code never runs it).
import { execFileSync } from "node:child_process"
import { mkdirSync, writeFileSync, symlinkSync } from "node:fs"
import { dirname, join } from "node:path"

const env = {
  ...process.env,
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  HOME: "/nonexistent",
}

export const git = (cwd: string, ...args: string[]): string => execFileSync("git", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] }).toString().trim()

export interface TestRepo {
  /** The bare repository servers serve. */
  readonly bare: string
  readonly work: string
  /** Commits `files` on `branch` (default master) and pushes; returns the commit id. */
  commit(files: Record<string, string>, branch?: string): string
  /** Creates an annotated tag at the current commit of `branch` and pushes it. */
  tag(name: string, branch?: string): string
}

const write = (work: string, files: Record<string, string>) => {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true })
    if (content.startsWith("symlink:")) symlinkSync(content.slice(8), join(work, path))
    else writeFileSync(join(work, path), content)
  }
}

/** A bare repository `<root>/<name>` (branch master) with a working clone beside it. */
export const makeTestRepo = (root: string, name: string): TestRepo => {
  const bare = join(root, name)
  const work = join(root, `${name}.work`)
  mkdirSync(work, { recursive: true })
  git(root, "init", "-q", "--bare", "-b", "master", bare)
  git(work, "init", "-q", "-b", "master")
  git(work, "remote", "add", "origin", bare)
  const checkout = (branch: string) => {
    const cur = git(work, "symbolic-ref", "--short", "HEAD")
    if (cur === branch) return
    try {
      git(work, "checkout", "-q", branch)
    } catch {
      git(work, "checkout", "-q", "-b", branch)
    }
  }
  return {
    bare,
    work,
    commit(files, branch = "master") {
      checkout(branch)
      write(work, files)
      git(work, "add", "-A")
      git(work, "commit", "-q", "-m", `change ${Object.keys(files).join(", ")}`)
      git(work, "push", "-q", "origin", branch)
      return git(work, "rev-parse", "HEAD")
    },
    tag(tagName, branch = "master") {
      checkout(branch)
      git(work, "tag", "-a", tagName, "-m", tagName)
      git(work, "push", "-q", "origin", tagName)
      return git(work, "rev-parse", "HEAD")
    },
  }
}
