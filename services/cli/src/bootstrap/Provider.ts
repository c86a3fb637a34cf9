// The few GitHub and Gitea (Forgejo) API calls bootstrap makes: read a
// repository, create it when missing, and add (or replace) a deploy key.
// GitHub: https://docs.github.com/rest/repos and /rest/deploy-keys;
// Gitea: /api/v1 with the same shapes for these calls.
import { readFileSync } from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import { rootCertificates } from "node:tls"
import { CliError } from "../Kube.ts"

export type ProviderKind = "github" | "gitea"

export interface ProviderOptions {
  readonly kind: ProviderKind
  /** github.com, a GitHub Enterprise or Gitea host; a scheme (http://) may be given. */
  readonly hostname: string
  readonly token: string
  readonly caFile?: string
}

export interface RepoInfo {
  readonly cloneUrl: string
  readonly sshUrl: string
  readonly defaultBranch: string
  readonly private: boolean
}

/** The API base URL: api.github.com, <host>/api/v3 (GitHub Enterprise) or <host>/api/v1 (Gitea). */
export const apiBase = (kind: ProviderKind, hostname: string): string => {
  const withScheme = /^[a-z]+:\/\//.test(hostname) ? hostname.replace(/\/+$/, "") : `https://${hostname}`
  if (kind === "github") return withScheme === "https://github.com" ? "https://api.github.com" : `${withScheme}/api/v3`
  return `${withScheme}/api/v1`
}

/** An ssh URL in Flux's form: ssh://git@host/owner/repo (scp-like ones rewritten). */
export const sshUrl = (raw: string): string => {
  const scp = /^([^@/]+)@([^:/]+):(?!\/)(.+)$/.exec(raw)
  return scp ? `ssh://${scp[1]}@${scp[2]}/${scp[3]}` : raw
}

export class Provider {
  readonly base: string
  private readonly o: ProviderOptions
  private readonly ca: string | undefined

  constructor(o: ProviderOptions) {
    this.o = o
    this.base = apiBase(o.kind, o.hostname)
    this.ca = o.caFile ? readFileSync(o.caFile, "utf8") : undefined
  }

  private request(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const u = new URL(this.base + path)
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const headers: Record<string, string> = {
      authorization: `token ${this.o.token}`,
      accept: this.o.kind === "github" ? "application/vnd.github+json" : "application/json",
      "user-agent": "moor",
      ...(payload ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) } : {}),
    }
    const mod = u.protocol === "https:" ? https : http
    return new Promise((resolve, reject) => {
      const req = mod.request(u, { method, headers, timeout: 30_000, ...(this.ca ? { ca: [...rootCertificates, this.ca] } : {}) }, (res) => {
        let text = ""
        res.setEncoding("utf8")
        res.on("data", (d: string) => (text += d))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }))
        res.on("error", reject)
      })
      req.on("timeout", () => req.destroy(new Error("no response within 30 s")))
      req.on("error", reject)
      req.end(payload)
    })
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    let res
    try {
      res = await this.request(method, path, body)
    } catch (e) {
      throw new CliError(`cannot reach the ${this.o.kind} API at ${this.base}: ${(e as Error).message}`, "check --hostname (and --ca-file for a private CA)")
    }
    const text = res.text
    let parsed: unknown = undefined
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = undefined
    }
    if (res.status === 401 || res.status === 403)
      throw new CliError(`the ${this.o.kind} API refused the token (HTTP ${res.status} on ${method} ${path})`, `the token in ${this.o.kind === "github" ? "GITHUB_TOKEN" : "GITEA_TOKEN"} needs the repo scope (and admin rights to add deploy keys)`)
    if (res.status >= 400 && res.status !== 404)
      throw new CliError(`${this.o.kind} API ${method} ${path}: HTTP ${res.status}${(parsed as { message?: string })?.message ? `: ${(parsed as { message: string }).message}` : ""}`)
    return { status: res.status, body: parsed as T }
  }

  private static info(r: { clone_url: string; ssh_url: string; default_branch?: string; private: boolean }): RepoInfo {
    return { cloneUrl: r.clone_url, sshUrl: sshUrl(r.ssh_url), defaultBranch: r.default_branch ?? "main", private: r.private }
  }

  /** The repository, or undefined when it does not exist. */
  async getRepo(owner: string, repo: string): Promise<RepoInfo | undefined> {
    const r = await this.call<Parameters<typeof Provider.info>[0]>("GET", `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`)
    return r.status === 404 ? undefined : Provider.info(r.body)
  }

  /** Creates the repository under the user (personal) or an organization. */
  async createRepo(owner: string, repo: string, o: { personal: boolean; private: boolean; branch: string; description?: string }): Promise<RepoInfo> {
    const path = o.personal ? "/user/repos" : `/orgs/${encodeURIComponent(owner)}/repos`
    const body = { name: repo, private: o.private, auto_init: true, ...(this.o.kind === "gitea" ? { default_branch: o.branch } : {}), ...(o.description ? { description: o.description } : {}) }
    const r = await this.call<Parameters<typeof Provider.info>[0]>("POST", path, body)
    if (r.status === 404) throw new CliError(`${this.o.kind}: cannot create ${owner}/${repo}: ${o.personal ? "the user" : `the organization ${owner}`} was not found`, o.personal ? undefined : "pass --personal to create it under your user")
    return Provider.info(r.body)
  }

  /** Adds the deploy key under `title`, replacing a key of that title with other content. */
  async ensureDeployKey(owner: string, repo: string, title: string, key: string, readOnly: boolean): Promise<"created" | "unchanged"> {
    const base = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/keys`
    const keys = (await this.call<{ id: number; title: string; key: string; read_only: boolean }[]>("GET", base)).body ?? []
    const wanted = key.trim().split(/\s+/).slice(0, 2).join(" ")
    const same = keys.find((k) => k.title === title)
    if (same && same.key.trim().split(/\s+/).slice(0, 2).join(" ") === wanted && same.read_only === readOnly) return "unchanged"
    if (same) await this.call("DELETE", `${base}/${same.id}`)
    await this.call("POST", base, { title, key: wanted, read_only: readOnly })
    return "created"
  }
}
