// The three files `flux bootstrap` keeps under <path>/flux-system, generated
// by moor: gotk-components.yaml (CRDs and moor's services), gotk-sync.yaml
// (the flux-system GitRepository and Kustomization) and kustomization.yaml.
// Pure functions of their inputs, so a second bootstrap writes the same bytes.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { parseAllDocuments, stringify } from "yaml"
import type { KubeObject } from "@moor/kube"

/** Flux's component names, as --components and --components-extra take them. */
export const defaultComponents = ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"] as const
export const extraComponents = ["image-reflector-controller", "image-automation-controller"] as const
const knownComponents: readonly string[] = [...defaultComponents, ...extraComponents]

/** The moor service doing the work of a Flux controller. */
const serviceOf: Record<string, string> = {
  "source-controller": "source",
  "kustomize-controller": "kustomize",
  "helm-controller": "helm",
  "notification-controller": "notify",
  "image-reflector-controller": "image",
  "image-automation-controller": "image",
}

/** The CRDs (by plural.group) each component owns, as Flux's install splits them. */
const crdsOf: Record<string, readonly string[]> = {
  "source-controller": ["gitrepositories.source.toolkit.fluxcd.io", "helmrepositories.source.toolkit.fluxcd.io", "ocirepositories.source.toolkit.fluxcd.io"],
  "kustomize-controller": ["kustomizations.kustomize.toolkit.fluxcd.io"],
  "helm-controller": ["helmreleases.helm.toolkit.fluxcd.io"],
  "notification-controller": ["alerts.notification.toolkit.fluxcd.io", "providers.notification.toolkit.fluxcd.io", "receivers.notification.toolkit.fluxcd.io"],
  "image-reflector-controller": ["imagerepositories.image.toolkit.fluxcd.io", "imagepolicies.image.toolkit.fluxcd.io"],
  "image-automation-controller": ["imageupdateautomations.image.toolkit.fluxcd.io"],
}

/** Checks component names; returns the list in Flux's order without duplicates. */
export const resolveComponents = (components: readonly string[], extra: readonly string[]): string[] => {
  const all = [...components, ...extra].map((c) => c.trim()).filter(Boolean)
  for (const c of all) if (!knownComponents.includes(c)) throw new Error(`unknown component "${c}"; components are ${knownComponents.join(", ")}`)
  return knownComponents.filter((c) => all.includes(c))
}

export interface ComponentsOptions {
  /** The checkout's deploy/ directory: crds/ and, when present, manifests/. */
  readonly deployDir: string
  readonly namespace: string
  readonly components: readonly string[]
  /** Keep NetworkPolicy objects (Flux's --network-policy, default true). */
  readonly networkPolicy: boolean
  readonly version: string
}

const docsOf = (text: string, file: string): KubeObject[] =>
  parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`)
      return d.toJS() as KubeObject | null
    })
    .filter((o): o is KubeObject => o !== null && typeof o === "object" && typeof o.kind === "string")

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f)
      if (statSync(p).isDirectory()) return yamlFiles(p)
      return /\.ya?ml$/.test(f) && f !== "kustomization.yaml" && f !== "kustomization.yml" ? [p] : []
    })

/**
 * The files of deploy/manifests: its kustomization.yaml's resources when it has
 * one (it lists the services built so far), else every YAML file. Directories
 * are read whole; ../crds is skipped (CRDs come by component).
 */
const manifestFiles = (dir: string): string[] => {
  const k = join(dir, "kustomization.yaml")
  if (!existsSync(k)) return yamlFiles(dir)
  const resources = ((parseAllDocuments(readFileSync(k, "utf8"))[0]?.toJS() ?? {}) as { resources?: string[] }).resources ?? []
  return resources.flatMap((r) => {
    const p = join(dir, r)
    if (!existsSync(p)) throw new Error(`${relative(dir, k)}: resource ${r} does not exist`)
    if (!statSync(p).isDirectory()) return [p]
    return r.replace(/\/+$/, "").endsWith("crds") ? [] : yamlFiles(p)
  })
}

/** Moves a service manifest into the bootstrap namespace (objects and the subjects of bindings). */
const intoNamespace = (o: KubeObject, ns: string, clusterScoped: boolean): KubeObject => {
  const out = structuredClone(o)
  if (!clusterScoped) out.metadata = { ...out.metadata, namespace: ns }
  const subjects = (out as { subjects?: { kind: string; namespace?: string }[] }).subjects
  if (subjects) for (const s of subjects) if (s.kind === "ServiceAccount") s.namespace = ns
  return out
}

const clusterScopedKinds = new Set(["Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "PriorityClass", "StorageClass"])

/** The objects of gotk-components.yaml: the namespace, the components' CRDs, then moor's service manifests. */
export const componentObjects = (o: ComponentsOptions): KubeObject[] => {
  const label = { "app.kubernetes.io/instance": o.namespace, "app.kubernetes.io/part-of": "moor", "app.kubernetes.io/version": o.version }
  const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: o.namespace, labels: label } }
  const wanted = new Set(o.components.flatMap((c) => crdsOf[c] ?? []))
  const crdDir = join(o.deployDir, "crds")
  const crds = yamlFiles(crdDir)
    .flatMap((f) => docsOf(readFileSync(f, "utf8"), relative(o.deployDir, f)))
    .filter((c) => c.kind === "CustomResourceDefinition" && wanted.has(c.metadata.name))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
  const services = new Set([...o.components.map((c) => serviceOf[c]!), "apply"])
  const manifestsDir = join(o.deployDir, "manifests")
  const manifests = existsSync(manifestsDir)
    ? manifestFiles(manifestsDir)
        .flatMap((f) => docsOf(readFileSync(f, "utf8"), relative(o.deployDir, f)))
        // our Namespace replaces theirs; CRDs come from deploy/crds, selected by component
        .filter((m) => m.kind !== "Namespace" && m.kind !== "CustomResourceDefinition")
        .filter((m) => o.networkPolicy || m.kind !== "NetworkPolicy")
        .filter((m) => {
          // a manifest of a service whose component was not chosen stays out
          const c = (m.metadata.labels as Record<string, string> | undefined)?.["app.kubernetes.io/component"]
          const svc = c === undefined ? undefined : (serviceOf[c] ?? c)
          return svc === undefined || !Object.values(serviceOf).includes(svc) || services.has(svc)
        })
        .map((m) => intoNamespace(m, o.namespace, clusterScopedKinds.has(m.kind)))
    : []
  return [ns, ...crds, ...manifests]
}

const yamlDocs = (objs: readonly KubeObject[]) => objs.map((x) => "---\n" + stringify(x, { lineWidth: 0 })).join("")

/** gotk-components.yaml, with Flux's header naming the version and components. */
export const componentsYaml = (o: ComponentsOptions, objs: readonly KubeObject[] = componentObjects(o)): string =>
  `# This manifest was generated by moor. DO NOT EDIT.\n# moor Version: v${o.version}\n# Components: ${o.components.join(",")}\n` + yamlDocs(objs)

export interface SyncOptions {
  readonly name: string
  readonly namespace: string
  readonly url: string
  readonly branch: string
  /** The repository path, as --path gives it ("clusters/dev", "./clusters/dev" or ""). */
  readonly path: string
  /** GitRepository interval (Flux's --interval, default 1m0s). */
  readonly interval: string
  /** The Git access secret; absent for anonymous access. */
  readonly secretName: string | undefined
  readonly recurseSubmodules?: boolean
}

/** The path as Flux writes it in the Kustomization: "./clusters/dev", or "./" for the root. */
export const syncPath = (path: string): string => {
  const p = path.replace(/^\.?\/+/, "").replace(/\/+$/, "")
  return p === "" || p === "." ? "./" : `./${p}`
}

/** The flux-system GitRepository and Kustomization, as Flux writes them. */
export const syncObjects = (o: SyncOptions): KubeObject[] => [
  {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: o.name, namespace: o.namespace },
    spec: {
      interval: o.interval,
      ref: { branch: o.branch },
      ...(o.recurseSubmodules ? { recurseSubmodules: true } : {}),
      ...(o.secretName ? { secretRef: { name: o.secretName } } : {}),
      url: o.url,
    },
  },
  {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: o.name, namespace: o.namespace },
    spec: {
      interval: "10m0s",
      path: syncPath(o.path),
      prune: true,
      sourceRef: { kind: "GitRepository", name: o.name },
    },
  },
]

export const syncYaml = (o: SyncOptions): string => "# This manifest was generated by moor. DO NOT EDIT.\n" + yamlDocs(syncObjects(o))

/** flux-system/kustomization.yaml; bootstrap writes it only when missing, so users may add patches. */
export const kustomizationYaml = (): string =>
  "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-components.yaml\n- gotk-sync.yaml\n"

/** Where the files go in the repository: <path>/flux-system. */
export const fluxSystemDir = (path: string): string => {
  const p = syncPath(path).slice(2)
  return p === "" ? "flux-system" : `${p}/flux-system`
}
