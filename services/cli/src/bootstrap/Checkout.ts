// A temporary checkout of one branch, committed to and pushed with the git CLI.
// @moor/git only fetches (pushing is its non-goal); bootstrap needs to push
// over every transport, and git is already one of moor's dependencies
// (scripts/deps.sh). Credentials reach git and ssh through an askpass script
// reading environment variables: never in argv, a URL or a file in the repo.
import { execFile } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { CliError } from "../Kube.ts"

export interface PushAuth {
  /** SSH private key text; without it ssh uses the agent and the user's keys. */
  readonly sshKey?: string
  /** known_hosts text for ssh; hosts not listed are refused. */
  readonly knownHosts?: string
  /** HTTP basic auth user (default "git" when a password is given). */
  readonly username?: string
  /** HTTP password or token; the passphrase of `sshKey`. */
  readonly password?: string
  /** PEM file of a CA to trust for HTTPS. */
  readonly caFile?: string
}

export interface Author {
  readonly name: string
  readonly email: string
}

const askpass = `#!/bin/sh
case "$1" in
  Username*|username*) printf '%s\\n' "$MOOR_GIT_USERNAME" ;;
  *) printf '%s\\n' "$MOOR_GIT_PASSWORD" ;;
esac
`

const run = (args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile("git", args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const why = String(stderr).trim().split("\n").filter((l) => !/^hint:/.test(l)).slice(-2).join("; ") || err.message
        reject(Object.assign(new Error(why), { code: (err as { code?: unknown }).code }))
      } else resolve(String(stdout))
    })
  })

/** A working copy of `branch` of `url` in a temporary directory; `close()` removes it. */
export class Checkout {
  readonly dir: string
  readonly url: string
  readonly branch: string
  private readonly tmp: string
  private readonly env: NodeJS.ProcessEnv
  private readonly config: string[]

  private constructor(url: string, branch: string, auth: PushAuth, author: Author) {
    this.url = url
    this.branch = branch
    this.tmp = mkdtempSync(join(tmpdir(), "moor-bootstrap-"))
    this.dir = join(this.tmp, "repo")
    const ask = join(this.tmp, "askpass.sh")
    writeFileSync(ask, askpass, { mode: 0o700 })
    const ssh = ["ssh", "-o", "BatchMode=" + (auth.password && auth.sshKey ? "no" : "yes")]
    if (auth.sshKey) {
      const key = join(this.tmp, "identity")
      writeFileSync(key, auth.sshKey.endsWith("\n") ? auth.sshKey : auth.sshKey + "\n", { mode: 0o600 })
      ssh.push("-o", "IdentitiesOnly=yes", "-i", key)
    }
    if (auth.knownHosts !== undefined) {
      const kh = join(this.tmp, "known_hosts")
      writeFileSync(kh, auth.knownHosts)
      ssh.push("-o", `UserKnownHostsFile=${kh}`, "-o", "StrictHostKeyChecking=yes")
    }
    this.env = {
      ...process.env,
      GIT_TERMINAL_PROMPT: "0",
      GIT_ASKPASS: ask,
      GIT_SSH_COMMAND: ssh.join(" "),
      MOOR_GIT_USERNAME: auth.username ?? "git",
      MOOR_GIT_PASSWORD: auth.password ?? "",
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
      ...(auth.password && auth.sshKey ? { SSH_ASKPASS: ask, SSH_ASKPASS_REQUIRE: "force", DISPLAY: process.env.DISPLAY ?? ":0" } : {}),
    }
    this.config = ["-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", "-c", "init.defaultBranch=" + branch, ...(auth.caFile ? ["-c", `http.sslCAInfo=${auth.caFile}`] : [])]
  }

  private git(...args: string[]): Promise<string> {
    return run([...this.config, ...args], existsSync(this.dir) ? this.dir : this.tmp, this.env)
  }

  /** Clones the branch, or starts it empty when the repository or the branch has no commit yet. */
  static async clone(url: string, branch: string, auth: PushAuth, author: Author): Promise<Checkout> {
    const c = new Checkout(url, branch, auth, author)
    try {
      const refs = await c.git("ls-remote", "--heads", url, `refs/heads/${branch}`)
      if (refs.trim() !== "") await c.git("clone", "-q", "--branch", branch, "--single-branch", url, c.dir)
      else {
        await c.git("init", "-q", "-b", branch, c.dir)
        await c.git("remote", "add", "origin", url)
      }
      return c
    } catch (e) {
      c.close()
      throw new CliError(`cannot clone ${url}: ${(e as Error).message}`, "check --url and the credentials (--private-key-file, --username/--password, --token-auth)")
    }
  }

  read(path: string): string | undefined {
    const p = join(this.dir, path)
    return existsSync(p) ? readFileSync(p, "utf8") : undefined
  }

  write(path: string, content: string): void {
    const p = join(this.dir, path)
    mkdirSync(dirname(p), { recursive: true })
    writeFileSync(p, content)
  }

  /** Commits `paths` when they changed; returns the new commit, or undefined when nothing changed. */
  async commit(paths: string[], message: string): Promise<string | undefined> {
    await this.git("add", "-A", "--", ...paths)
    const staged = await this.git("diff", "--cached", "--name-only")
    if (staged.trim() === "") return undefined
    await this.git("commit", "-q", "-m", message)
    return (await this.git("rev-parse", "HEAD")).trim()
  }

  async push(): Promise<void> {
    try {
      await this.git("push", "-q", "origin", `HEAD:refs/heads/${this.branch}`)
    } catch (e) {
      throw new CliError(`cannot push to ${this.url}: ${(e as Error).message}`, "the credentials need write access (a deploy key with --read-write-key, or a token with push rights)")
    }
  }

  /** The commit at HEAD, or undefined on an empty branch. */
  async head(): Promise<string | undefined> {
    try {
      return (await this.git("rev-parse", "--verify", "-q", "HEAD")).trim() || undefined
    } catch {
      return undefined
    }
  }

  close(): void {
    rmSync(this.tmp, { recursive: true, force: true })
  }
}

/** The host keys of an ssh server as known_hosts lines (ssh-keyscan), as Flux scans them at bootstrap. */
export const scanHostKeys = (host: string, port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile("ssh-keyscan", ["-p", String(port), "-T", "10", host], (err, stdout) => {
      const lines = String(stdout)
        .split("\n")
        .filter((l) => l && !l.startsWith("#"))
      if (lines.length) resolve(lines.join("\n") + "\n")
      else reject(new CliError(`cannot read the ssh host keys of ${host}:${port}${err ? `: ${err.message.split("\n")[0]}` : ""}`, "is the ssh server reachable? ssh-keyscan comes with Debian's openssh-client"))
    })
  })

/** The deploy key's type: Flux's --ssh-key-algorithm, --ssh-ecdsa-curve and --ssh-rsa-bits. */
export interface KeyAlgorithm {
  readonly algorithm: "ecdsa" | "rsa" | "ed25519"
  readonly ecdsaCurve: "p256" | "p384" | "p521"
  readonly rsaBits: number
}
export const defaultKeyAlgorithm: KeyAlgorithm = { algorithm: "ecdsa", ecdsaCurve: "p384", rsaBits: 2048 }

/** A new ssh key pair (by default ECDSA P-384, Flux's default deploy key) as OpenSSH texts. */
export const generateSshKey = (comment: string, k: KeyAlgorithm = defaultKeyAlgorithm): Promise<{ privateKey: string; publicKey: string }> => {
  const bits = k.algorithm === "ecdsa" ? ["-b", k.ecdsaCurve.slice(1)] : k.algorithm === "rsa" ? ["-b", String(k.rsaBits)] : []
  const dir = mkdtempSync(join(tmpdir(), "moor-key-"))
  return new Promise<{ privateKey: string; publicKey: string }>((resolve, reject) => {
    execFile("ssh-keygen", ["-q", "-t", k.algorithm, ...bits, "-N", "", "-C", comment, "-f", join(dir, "id")], (err) => {
      if (err) return reject(new CliError(`cannot generate an ssh key: ${err.message.split("\n")[0]}`, "ssh-keygen comes with Debian's openssh-client"))
      resolve({ privateKey: readFileSync(join(dir, "id"), "utf8"), publicKey: readFileSync(join(dir, "id.pub"), "utf8").trim() })
    })
  }).finally(() => rmSync(dir, { recursive: true, force: true }))
}
