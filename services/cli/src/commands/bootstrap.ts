// `moor bootstrap git|github|gitea`: Flux's bootstrap with Flux's flags. The
// provider commands create the repository and a deploy key (or keep the
// token with --token-auth) through the provider's API, then do what
// `bootstrap git` does (bootstrap/Bootstrap.ts).
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline/promises"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { parseDuration } from "@moor/api"
import { green, UsageError, type CliCommand } from "../Command.ts"
import { CliError, connect } from "../Kube.ts"
import { kubeconfigPath } from "../Target.ts"
import { bootstrap, type BootstrapOptions, type SecretPlan } from "../bootstrap/Bootstrap.ts"
import { scanHostKeys, type KeyAlgorithm, type PushAuth } from "../bootstrap/Checkout.ts"
import { defaultComponents, resolveComponents } from "../bootstrap/Manifests.ts"
import { Provider, type ProviderKind } from "../bootstrap/Provider.ts"
import { moorVersion } from "./version.ts"

/** The checkout's deploy/ directory (CRDs and service manifests). */
export const deployDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "deploy")

const common = {
  kubeconfig: { type: "string" },
  branch: { type: "string", default: "main" },
  path: { type: "string", default: "" },
  namespace: { type: "string", short: "n", default: "flux-system" },
  "secret-name": { type: "string", default: "flux-system" },
  interval: { type: "string", default: "1m0s" },
  components: { type: "string", default: defaultComponents.join(",") },
  "components-extra": { type: "string", default: "" },
  "network-policy": { type: "string", default: "true" },
  "author-name": { type: "string", default: "moor" },
  "author-email": { type: "string", default: "moor@users.noreply" },
  "commit-message-appendix": { type: "string" },
  "ca-file": { type: "string" },
  "recurse-submodules": { type: "boolean" },
  "read-write-key": { type: "boolean" },
  "token-auth": { type: "boolean" },
  silent: { type: "boolean", short: "s" },
  timeout: { type: "string", default: "5m0s" },
  "ssh-key-algorithm": { type: "string", default: "ecdsa" },
  "ssh-ecdsa-curve": { type: "string", default: "p384" },
  "ssh-rsa-bits": { type: "string", default: "2048" },
} as const

const commonHelp = `  --branch NAME                 Git branch (default "main")
  --path DIR                    path in the repository, e.g. clusters/my-cluster (default: the root)
  --components LIST             default source-controller,kustomize-controller,helm-controller,notification-controller
  --components-extra LIST       e.g. image-reflector-controller,image-automation-controller
  --network-policy true|false   keep the NetworkPolicy of the components (default true)
  --interval D                  GitRepository sync interval (default 1m0s)
  --secret-name NAME            the Git access secret (default flux-system)
  --ca-file FILE                CA to trust for HTTPS (stored in the secret as ca.crt)
  --author-name, --author-email, --commit-message-appendix   the commit's author and message
  --recurse-submodules          make the GitRepository fetch submodules
  --ssh-key-algorithm A         a generated deploy key's type: ecdsa (default), rsa or ed25519
  --ssh-ecdsa-curve C           p256, p384 (default) or p521;  --ssh-rsa-bits N (default 2048)
  -s, --silent                  do not ask for confirmation
  --timeout D                   how long to wait for the sync (default 5m0s)
  -n, --namespace NS            default flux-system
  --kubeconfig FILE             the cluster (default: $KUBECONFIG, then ~/.kube/config)`

type Values = Record<string, string | boolean | undefined>

const duration = (v: Values, flag: string): number => {
  try {
    return parseDuration(v[flag] as string)
  } catch (e) {
    throw new UsageError(`--${flag}: ${(e as Error).message}`)
  }
}

/** The options bootstrap git and the providers share. */
const baseOptions = async (v: Values) => {
  let components: string[]
  try {
    components = resolveComponents((v.components as string).split(","), (v["components-extra"] as string).split(","))
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  if (!["true", "false"].includes(v["network-policy"] as string)) throw new UsageError("--network-policy takes true or false")
  duration(v, "interval")
  if ((v.path as string).split("/").includes("..")) throw new UsageError(`--path ${v.path} leaves the repository; give a path inside it, e.g. clusters/my-cluster`)
  const ca = v["ca-file"] as string | undefined
  if (ca !== undefined && !existsSync(ca)) throw new UsageError(`--ca-file ${ca} does not exist`)
  const algorithm = v["ssh-key-algorithm"] as string
  const curve = v["ssh-ecdsa-curve"] as string
  const rsaBits = Number(v["ssh-rsa-bits"])
  if (!["ecdsa", "rsa", "ed25519"].includes(algorithm)) throw new UsageError("--ssh-key-algorithm takes ecdsa, rsa or ed25519")
  if (!["p256", "p384", "p521"].includes(curve)) throw new UsageError("--ssh-ecdsa-curve takes p256, p384 or p521")
  if (!Number.isInteger(rsaBits) || rsaBits < 2048 || rsaBits > 16384) throw new UsageError("--ssh-rsa-bits takes a number of bits from 2048 to 16384")
  const keyAlgorithm = { algorithm, ecdsaCurve: curve, rsaBits } as KeyAlgorithm
  const kube = await connect(kubeconfigPath(v.kubeconfig as string | undefined))
  return {
    kube,
    branch: v.branch as string,
    path: v.path as string,
    namespace: v.namespace as string,
    secretName: v["secret-name"] as string,
    interval: v.interval as string,
    components,
    networkPolicy: v["network-policy"] === "true",
    author: { name: v["author-name"] as string, email: v["author-email"] as string },
    ...(typeof v["commit-message-appendix"] === "string" ? { commitMessageAppendix: v["commit-message-appendix"] } : {}),
    recurseSubmodules: v["recurse-submodules"] === true,
    keyAlgorithm,
    timeoutMs: duration(v, "timeout"),
    deployDir,
    version: moorVersion(),
  }
}

const done = (r: { committed: boolean }) => {
  process.stderr.write(`${green("✔")} bootstrap finished${r.committed ? "" : " (nothing to change)"}\n`)
  return 0
}

/** Asks on a terminal; anywhere else (or with --silent) the answer is yes. */
const confirm = async (question: string, silent: boolean): Promise<boolean> => {
  if (silent || !process.stdin.isTTY) return true
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N]: `)).trim())
  } finally {
    rl.close()
  }
}

export const bootstrapGit: CliCommand = {
  path: ["bootstrap", "git"],
  summary: "Deploy moor on a cluster connected to a Git repository",
  help: `Usage: moor bootstrap git --url URL [--path DIR] [--branch NAME] [flags]

Commits <path>/flux-system (gotk-components.yaml, gotk-sync.yaml,
kustomization.yaml) to the branch, installs the CRDs and moor's services in
the cluster, creates the flux-system Git secret, the flux-system
GitRepository and Kustomization, and waits until they are Ready. Run it
again to upgrade: an unchanged repository gets no new commit. On the embedded
API server no pod runs: 'moor run' (or 'moor dev') against that cluster does
the services' work.

Flags:
  --url URL                     ssh://, git://, http(s):// or file:// repository
  --private-key-file FILE       SSH key for pushing and for the cluster (without it: your ssh agent pushes,
                                and a new deploy key is generated for the cluster and printed)
  --password PASS               HTTP password (or $GIT_PASSWORD), or the passphrase of the SSH key
  -u, --username NAME           HTTP user (default "git")
  --token-auth                  the password is a token (HTTP user "git")
  --allow-insecure-http         allow credentials over plain http://
  --read-write-key              the deploy key needs write access (image automation pushes)
${commonHelp}

Example:
  moor bootstrap git --url=ssh://git@example.com/fleet.git --private-key-file=./id_ed25519 --path=clusters/dev`,
  async run(argv) {
    const { values: v } = parseArgs({
      args: argv,
      options: {
        ...common,
        url: { type: "string" },
        "private-key-file": { type: "string" },
        password: { type: "string", short: "p" },
        username: { type: "string", short: "u" },
        "allow-insecure-http": { type: "boolean" },
        "ssh-hostname": { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    })
    const url = v.url
    if (!url) throw new UsageError("--url is required")
    const { parseRepoUrl } = await import("@moor/git")
    let u
    try {
      u = parseRepoUrl(url)
    } catch (e) {
      throw new UsageError((e as Error).message)
    }
    const password = v.password ?? process.env.GIT_PASSWORD
    const keyFile = v["private-key-file"]
    if (keyFile !== undefined && !existsSync(keyFile)) throw new UsageError(`--private-key-file ${keyFile} does not exist`)
    const caFile = v["ca-file"]
    const caPem = caFile ? readFileSync(caFile, "utf8") : undefined
    let pushAuth: PushAuth
    let secret: SecretPlan
    if (u.protocol === "ssh") {
      if (v["token-auth"]) throw new UsageError("--token-auth needs an http(s):// URL")
      const knownHosts = await scanHostKeys(u.host, u.port)
      const identity = keyFile ? readFileSync(keyFile, "utf8") : undefined
      pushAuth = { ...(identity ? { sshKey: identity } : {}), knownHosts, ...(password ? { password } : {}) }
      secret = { kind: "ssh", ...(identity ? { identity } : {}), ...(password && identity ? { password } : {}), knownHosts }
    } else if (u.protocol === "http" || u.protocol === "https") {
      if (keyFile) throw new UsageError("--private-key-file needs an ssh:// URL")
      const username = v["token-auth"] ? "git" : (v.username ?? "git")
      const creds = password !== undefined
      if (v["token-auth"] && !creds) throw new UsageError("--token-auth needs the token in --password (or $GIT_PASSWORD)")
      if (creds && u.protocol === "http" && !v["allow-insecure-http"])
        throw new UsageError("refusing to send credentials over plain http://; use https://, or pass --allow-insecure-http")
      pushAuth = { ...(creds ? { username, password } : {}), ...(caFile ? { caFile } : {}) }
      const data = { ...(creds ? { username, password: password! } : {}), ...(caPem ? { "ca.crt": caPem } : {}) }
      secret = Object.keys(data).length ? { kind: "data", data } : { kind: "none" }
    } else {
      if (keyFile || password) throw new UsageError(`${u.protocol}:// repositories take no credentials; drop --private-key-file/--password`)
      pushAuth = {}
      secret = { kind: "none" }
    }
    const base = await baseOptions(v)
    try {
      const syncUrl = u.protocol === "ssh" && v["ssh-hostname"] ? url.replace(u.host, v["ssh-hostname"]) : url
      const r = await bootstrap({
        ...base,
        url,
        syncUrl,
        pushAuth,
        secret,
        onDeployKey: async (pub) => {
          process.stderr.write(`Please give the key access to your repository${v["read-write-key"] ? " (with write access)" : ""}:\n  ${pub}\n`)
          if (!(await confirm("Have you added the deploy key to your repository", v.silent === true)))
            throw new CliError("bootstrap aborted: the deploy key was not confirmed", "add the key, then run the command again (or pass --silent)")
        },
      })
      return done(r)
    } finally {
      base.kube.close()
    }
  },
}

const providerCommand = (kind: ProviderKind): CliCommand => {
  const env = kind === "github" ? "GITHUB_TOKEN" : "GITEA_TOKEN"
  const name = kind === "github" ? "GitHub" : "Gitea (or Forgejo)"
  return {
    path: ["bootstrap", kind],
    summary: `Deploy moor on a cluster connected to a ${name} repository`,
    help: `Usage: moor bootstrap ${kind} --owner NAME --repository NAME [--personal] [--private=false] [--hostname HOST] [--token-auth] [flags]

Creates the repository when missing (private unless --private=false), adds a
deploy key for the cluster (read-only unless --read-write-key), or with
--token-auth keeps the token in the flux-system secret, then bootstraps as
'moor bootstrap git' does. The API token is read from $${env}.

Flags:
  --owner NAME                  user or organization
  --repository NAME             repository name
  --personal                    the owner is a user, not an organization
  --private true|false          create the repository private (default true)
  --hostname HOST               ${kind === "github" ? "GitHub Enterprise host (default github.com)" : "Gitea host (required), e.g. gitea.example.com"}; http:// or https:// may prefix it
  --token-auth                  clone over HTTPS with the token instead of an SSH deploy key
  --read-write-key              the deploy key gets write access
${commonHelp}

Example:
  moor bootstrap ${kind} --owner=my-org --repository=fleet --path=clusters/dev${kind === "gitea" ? " --hostname=gitea.example.com" : ""}   # with ${env} exported`,
    async run(argv) {
      const { values: v } = parseArgs({
        args: argv,
        options: {
          ...common,
          owner: { type: "string" },
          repository: { type: "string" },
          personal: { type: "boolean" },
          private: { type: "string", default: "true" },
          hostname: { type: "string", default: kind === "github" ? "github.com" : "" },
          description: { type: "string" },
        },
        strict: true,
        allowPositionals: false,
      })
      if (!v.owner) throw new UsageError("--owner is required")
      if (!v.repository) throw new UsageError("--repository is required")
      if (!v.hostname) throw new UsageError("--hostname is required for gitea")
      if (!["true", "false"].includes(v.private!)) throw new UsageError("--private takes true or false")
      const token = process.env[env]
      if (!token) throw new CliError(`${env} environment variable not found`, `export ${env}=<a token with the repo scope>`)
      const insecure = v.hostname.startsWith("http://")
      if (kind === "gitea" && v["token-auth"] && insecure)
        throw new CliError(
          "gitea: token authentication over plain HTTP is refused: the token would travel unencrypted",
          `use an https:// --hostname, or 'moor bootstrap git --url=<http clone URL> --allow-insecure-http --token-auth --password=$${env}' if you accept that`,
        )
      const provider = new Provider({ kind, hostname: v.hostname, token, ...(v["ca-file"] ? { caFile: v["ca-file"] } : {}) })
      const out = (l: string) => process.stderr.write(l + "\n")
      out(`► connecting to ${provider.base}`)
      let repo = await provider.getRepo(v.owner, v.repository)
      if (!repo) {
        repo = await provider.createRepo(v.owner, v.repository, { personal: v.personal === true, private: v.private === "true", branch: v.branch!, ...(v.description ? { description: v.description } : {}) })
        out(`${green("✔")} repository "${repo.cloneUrl}" created`)
      } else out(`${green("✔")} repository "${repo.cloneUrl}" exists`)
      const base = await baseOptions(v)
      try {
        const caPem = v["ca-file"] ? readFileSync(v["ca-file"], "utf8") : undefined
        const pushAuth: PushAuth = { username: "git", password: token, ...(v["ca-file"] ? { caFile: v["ca-file"] } : {}) }
        let options: BootstrapOptions
        if (v["token-auth"]) {
          options = { ...base, url: repo.cloneUrl, pushAuth, secret: { kind: "data", data: { username: "git", password: token, ...(caPem ? { "ca.crt": caPem } : {}) } } }
        } else {
          const ssh = new URL(repo.sshUrl)
          const knownHosts = await scanHostKeys(ssh.hostname, ssh.port ? Number(ssh.port) : 22)
          const title = `moor-${v.namespace}-${v.branch}-${base.path.replace(/^\.?\/*/, "") || "root"}`
          options = {
            ...base,
            url: repo.cloneUrl,
            syncUrl: repo.sshUrl,
            pushAuth,
            secret: { kind: "ssh", knownHosts },
            // a key generated now is registered; one already in the cluster was registered when it was made
            onDeployKey: async (pub) => {
              const what = await provider.ensureDeployKey(v.owner!, v.repository!, title, pub, v["read-write-key"] !== true)
              out(`${green("✔")} deploy key "${title}" ${what === "created" ? "configured" : "is up to date"}`)
            },
          }
        }
        return done(await bootstrap(options))
      } finally {
        base.kube.close()
      }
    },
  }
}

export const bootstrapGithub = providerCommand("github")
export const bootstrapGitea = providerCommand("gitea")

/** `moor bootstrap` alone: which of the three. */
export const bootstrapGroup: CliCommand = {
  path: ["bootstrap"],
  summary: "Deploy moor on a cluster, connected to a Git repository",
  help: `Usage: moor bootstrap git|github|gitea [flags]

  git      any Git server (ssh://, git://, http(s)://, file://)
  github   GitHub or GitHub Enterprise: creates the repository and a deploy key
  gitea    Gitea or Forgejo: creates the repository and a deploy key

Example:
  moor bootstrap git --url=ssh://git@example.com/fleet.git --private-key-file=./id_ed25519 --path=clusters/dev`,
  async run(argv) {
    throw new UsageError(argv.length ? `unknown bootstrap provider "${argv[0]}"; use git, github or gitea` : "which provider? moor bootstrap git|github|gitea")
  },
}
