// `moor bootstrap`'s flow, shared by `bootstrap git|github|gitea` and `moor dev`:
// commit <path>/flux-system (components, sync, kustomization.yaml) when it
// differs, push, install the CRDs and components, write the Git access secret,
// apply the sync objects and wait until the GitRepository and the
// Kustomization are Ready at the pushed commit. Running it again changes nothing.
import type { KubeClient, KubeObject } from "@moor/kube"
import { green } from "../Command.ts"
import { CliError } from "../Kube.ts"
import { Checkout, generateSshKey, type Author, type KeyAlgorithm, type PushAuth } from "./Checkout.ts"
import { componentObjects, componentsYaml, fluxSystemDir, kustomizationYaml, syncObjects, syncYaml, type ComponentsOptions } from "./Manifests.ts"

/** How the cluster authenticates to Git (the flux-system secret). */
export type SecretPlan =
  | { readonly kind: "none" }
  /** Fixed data: username/password, bearerToken, ca.crt... */
  | { readonly kind: "data"; readonly data: Readonly<Record<string, string>> }
  /** An ssh identity: the given key, else the one already in the cluster, else a new deploy key. */
  | { readonly kind: "ssh"; readonly identity?: string; readonly password?: string; readonly knownHosts: string; readonly caPem?: string }

export interface BootstrapOptions {
  readonly kube: KubeClient
  /** Where to push the manifests. */
  readonly url: string
  /** The URL the cluster pulls from (default: `url`). */
  readonly syncUrl?: string
  readonly branch: string
  readonly path: string
  readonly namespace: string
  readonly secretName: string
  /** The GitRepository's interval. */
  readonly interval: string
  readonly components: readonly string[]
  readonly networkPolicy: boolean
  readonly pushAuth: PushAuth
  readonly secret: SecretPlan
  readonly author: Author
  readonly commitMessageAppendix?: string
  readonly recurseSubmodules?: boolean
  /** The type of a generated deploy key (default ECDSA P-384). */
  readonly keyAlgorithm?: KeyAlgorithm
  readonly timeoutMs: number
  /** The checkout's deploy/ directory. */
  readonly deployDir: string
  readonly version: string
  /** Called with a new deploy key's public half before anything is pushed (providers register it; git shows it). */
  readonly onDeployKey?: (publicKey: string) => Promise<void>
  /** Progress lines (default: stderr). */
  readonly out?: (line: string) => void
}

export interface BootstrapResult {
  /** The commit the cluster synced. */
  readonly commit: string
  /** False when the repository already held these manifests. */
  readonly committed: boolean
}

const fieldManager = "moor"
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
type Cond = { type: string; status: string; reason?: string; message?: string }
const condition = (o: KubeObject | undefined, type: string) => (o?.status?.conditions as Cond[] | undefined)?.find((c) => c.type === type)

/** Applies objects in order, waiting for CRDs to be served before the objects after them. */
export const applyAll = async (kube: KubeClient, objs: readonly KubeObject[]) => {
  for (const o of objs) await kube.apply(o, { fieldManager, force: true })
  for (const crd of objs.filter((o) => o.kind === "CustomResourceDefinition")) {
    const spec = crd.spec as { group: string; names: { kind: string }; versions: { name: string; served?: boolean }[] }
    const v = spec.versions.find((x) => x.served !== false)!
    const end = Date.now() + 30_000
    for (;;) {
      try {
        await kube.resource(`${spec.group}/${v.name}`, spec.names.kind)
        break
      } catch (e) {
        if (Date.now() > end) throw new CliError(`CRD ${crd.metadata.name} is not served after 30 s: ${(e as Error).message}`)
        await sleep(100)
      }
    }
  }
}

/** The cluster's flux-system secret data, decoded, when it exists. */
const existingSecret = async (kube: KubeClient, ns: string, name: string): Promise<Record<string, string> | undefined> => {
  const s = await kube.find(await kube.resource("v1", "Secret"), ns, name)
  if (!s) return undefined
  return Object.fromEntries(Object.entries((s.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]))
}

/** Resolves the secret's data; a new deploy key is generated (and announced) only when none exists. */
const secretData = async (o: BootstrapOptions, out: (l: string) => void): Promise<Record<string, string> | undefined> => {
  const s = o.secret
  if (s.kind === "none") return undefined
  if (s.kind === "data") return { ...s.data }
  const extra = { ...(s.password ? { password: s.password } : {}), ...(s.caPem ? { "ca.crt": s.caPem } : {}) }
  if (s.identity !== undefined) return { identity: s.identity, known_hosts: s.knownHosts, ...extra }
  out(`► determining if source secret "${o.namespace}/${o.secretName}" exists`)
  const current = await existingSecret(o.kube, o.namespace, o.secretName)
  if (current?.identity) {
    out(`${green("✔")} using the deploy key of source secret "${o.namespace}/${o.secretName}"`)
    return { ...current, known_hosts: s.knownHosts }
  }
  out("► generating source secret")
  const key = await generateSshKey(`${o.namespace}-${o.secretName}`, o.keyAlgorithm)
  out(`${green("✔")} public key: ${key.publicKey}`)
  await o.onDeployKey?.(key.publicKey)
  return { identity: key.privateKey, "identity.pub": key.publicKey + "\n", known_hosts: s.knownHosts, ...extra }
}

/** Polls `get` until `done` says so, printing the Ready message when it changes. */
const waitReady = async (what: string, get: () => Promise<KubeObject | undefined>, done: (o: KubeObject) => boolean, deadline: number, out: (l: string) => void) => {
  let last = ""
  for (;;) {
    const o = await get()
    if (o && done(o)) return o
    const r = condition(o, "Ready")
    const msg = r && o?.status?.observedGeneration === o?.metadata.generation ? `${r.reason ?? ""}: ${r.message ?? ""}` : ""
    if (msg && msg !== last && r?.status === "False") out(`  ${what}: ${msg}`)
    last = msg || last
    if (Date.now() > deadline)
      throw new CliError(`${what} is not ready${last ? ` (${last})` : ""}`, "is 'moor run' (or 'moor dev') running against this cluster? see 'moor get all -n flux-system' and 'moor events'")
    await sleep(200)
  }
}

/** Runs the bootstrap; throws a CliError with a hint on failure. */
export const bootstrap = async (o: BootstrapOptions): Promise<BootstrapResult> => {
  const out = o.out ?? ((l: string) => process.stderr.write(l + "\n"))
  const deadline = Date.now() + o.timeoutMs
  const { kube } = o
  try {
    await kube.request("GET", "/version")
  } catch (e) {
    throw new CliError(`cannot reach the cluster: ${(e as Error).message}`, "pass --kubeconfig FILE; 'moor dev' or 'moor cluster serve' start a local one")
  }

  // Flux's --network-policy: a cluster without NetworkPolicy (the embedded one) gets none.
  let networkPolicy = o.networkPolicy
  if (networkPolicy) {
    try {
      await kube.resource("networking.k8s.io/v1", "NetworkPolicy")
    } catch {
      networkPolicy = false
      out("! the cluster does not serve NetworkPolicy (networking.k8s.io/v1): the components are generated without one")
    }
  }
  const copts: ComponentsOptions = { deployDir: o.deployDir, namespace: o.namespace, components: o.components, networkPolicy, version: o.version }
  const components = componentObjects(copts)

  out(`► cloning branch "${o.branch}" from Git repository "${o.url}"`)
  const checkout = await Checkout.clone(o.url, o.branch, o.pushAuth, o.author)
  let commit: string | undefined
  let committed = false
  try {
    out(`${green("✔")} cloned repository`)
    const data = await secretData(o, out)
    out("► generating component manifests")
    const dir = fluxSystemDir(o.path)
    checkout.write(`${dir}/gotk-components.yaml`, componentsYaml(copts, components))
    const sync = { name: "flux-system", namespace: o.namespace, url: o.syncUrl ?? o.url, branch: o.branch, path: o.path, interval: o.interval, secretName: data ? o.secretName : undefined, recurseSubmodules: o.recurseSubmodules ?? false }
    checkout.write(`${dir}/gotk-sync.yaml`, syncYaml(sync))
    if (checkout.read(`${dir}/kustomization.yaml`) === undefined) checkout.write(`${dir}/kustomization.yaml`, kustomizationYaml())
    out(`${green("✔")} generated component manifests`)
    const appendix = o.commitMessageAppendix ? `\n\n${o.commitMessageAppendix}` : ""
    const made = await checkout.commit([dir], `Add moor v${o.version} component and sync manifests${appendix}`)
    if (made) {
      out(`${green("✔")} committed component and sync manifests to "${o.branch}" ("${made}")`)
      out(`► pushing manifests to "${o.url}"`)
      await checkout.push()
      committed = true
    } else out(`${green("✔")} component and sync manifests are up to date`)
    commit = (await checkout.head())!

    out(`► installing components in "${o.namespace}" namespace`)
    await applyAll(kube, components)
    out(`${green("✔")} installed components`)
    if (data) {
      out(`► applying source secret "${o.namespace}/${o.secretName}"`)
      await kube.apply(
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: o.secretName, namespace: o.namespace },
          type: "Opaque",
          data: Object.fromEntries(Object.entries(data).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
        },
        { fieldManager, force: true },
      )
      out(`${green("✔")} reconciled source secret`)
    }
    out("► applying sync manifests")
    const [repo, ks] = syncObjects(sync)
    await applyAll(kube, [repo!, ks!])
    out(`${green("✔")} reconciled sync configuration`)
  } finally {
    checkout.close()
  }

  // Ask for a reconcile now, as Flux's bootstrap does, rather than wait for the interval.
  const requestedAt = new Date().toISOString()
  const gr = await kube.resource("source.toolkit.fluxcd.io/v1", "GitRepository")
  const kr = await kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  for (const r of [gr, kr]) await kube.patch(r, o.namespace, "flux-system", "merge", { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": requestedAt } } })
  const atCommit = (rev: unknown) => typeof rev === "string" && rev.endsWith(`:${commit}`)
  // handled our request (so a status from before this run, e.g. with an older secret, does not count), current and Ready
  const fresh = (x: KubeObject) =>
    x.status?.lastHandledReconcileAt === requestedAt && x.status?.observedGeneration === x.metadata.generation && condition(x, "Ready")?.status === "True"
  out(`◎ waiting for GitRepository "${o.namespace}/flux-system" to be reconciled`)
  await waitReady(`GitRepository ${o.namespace}/flux-system`, () => kube.find(gr, o.namespace, "flux-system"), (x) => fresh(x) && atCommit(x.status?.artifact?.revision), deadline, out)
  out(`${green("✔")} GitRepository reconciled successfully`)
  out(`◎ waiting for Kustomization "${o.namespace}/flux-system" to be reconciled`)
  await waitReady(`Kustomization ${o.namespace}/flux-system`, () => kube.find(kr, o.namespace, "flux-system"), (x) => fresh(x) && atCommit(x.status?.lastAppliedRevision), deadline, out)
  out(`${green("✔")} Kustomization reconciled successfully`)

  const deployments = components.filter((c) => c.kind === "Deployment")
  if (deployments.length) {
    out("► confirming components are healthy")
    const dr = await kube.resource("apps/v1", "Deployment")
    for (const d of deployments)
      await waitReady(`Deployment ${o.namespace}/${d.metadata.name}`, () => kube.find(dr, o.namespace, d.metadata.name), (x) => condition(x, "Available")?.status === "True", deadline, out)
    out(`${green("✔")} all components are healthy`)
  }
  return { commit, committed }
}
