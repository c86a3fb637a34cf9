// NATS subjects of moor's public protocol (version v1). Kubernetes names may
// contain dots, which NATS reads as token separators, so names are escaped:
// "." becomes "_" (a character Kubernetes names never contain), reversibly.

/** The key of one actor: one custom resource. `kind` is the lower-case kind. */
export interface ActorKey {
  readonly kind: string
  readonly namespace: string
  readonly name: string
}

const TOKEN = /^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/

/** Escapes a Kubernetes name (DNS subdomain or label) into one NATS token; throws on what no Kubernetes name can be. */
export const encodeToken = (s: string): string => {
  const t = s.replaceAll(".", "_")
  if (!TOKEN.test(t)) throw new Error(`not a valid Kubernetes name for a NATS subject token: ${JSON.stringify(s)}`)
  return t
}

/** Inverse of encodeToken. */
export const decodeToken = (t: string): string => t.replaceAll("_", ".")

/** The cluster-scoped namespace token: cluster-scoped resources have no namespace. */
export const CLUSTER_SCOPE = "_"

const nsToken = (ns: string) => (ns === "" ? CLUSTER_SCOPE : encodeToken(ns))
const keyTokens = (k: ActorKey) => `${encodeToken(k.kind)}.${nsToken(k.namespace)}.${encodeToken(k.name)}`

/** `moor.cmd.<kind>.<namespace>.<name>`: request/reply to one actor. */
export const cmdSubject = (k: ActorKey): string => `moor.cmd.${keyTokens(k)}`
/** `moor.evt.<kind>.<namespace>.<name>`: events published by that actor. */
export const evtSubject = (k: ActorKey): string => `moor.evt.${keyTokens(k)}`
/** Wildcard over the commands of every actor of a kind. */
export const cmdWildcard = (kind: string): string => `moor.cmd.${encodeToken(kind)}.*.*`
/** Wildcard over events: all, of one kind, or of one namespace of a kind. */
export const evtWildcard = (kind?: string, namespace?: string): string =>
  kind === undefined ? "moor.evt.>" : `moor.evt.${encodeToken(kind)}.${namespace === undefined ? "*" : nsToken(namespace)}.*`
/** `moor.apply.<cluster>`: bundles for the apply actor of one cluster (queue group per cluster). */
export const applySubject = (cluster: string): string => `moor.apply.${encodeToken(cluster)}`
/** `moor.apply.<cluster>.owners`: notices among the replicas of one cluster's apply service (no queue). */
export const applyOwnersSubject = (cluster: string): string => `${applySubject(cluster)}.owners`
/** The queue group of a cluster's apply actors: one replica answers each request. */
export const applyQueue = (cluster: string): string => `moor-apply-${encodeToken(cluster)}`
/** `moor.agent.<cluster>.<topic>`: heartbeats, drift and health reports of a member cluster's agent. */
export const agentSubject = (cluster: string, topic: "heartbeat" | "drift" | "health"): string =>
  `moor.agent.${encodeToken(cluster)}.${topic}`

/** Parses a cmd or evt subject back into its actor key; undefined when it is not one. */
export const parseActorSubject = (subject: string): { type: "cmd" | "evt"; key: ActorKey } | undefined => {
  const p = subject.split(".")
  if (p.length !== 5 || p[0] !== "moor" || (p[1] !== "cmd" && p[1] !== "evt")) return undefined
  const [, type, kind, ns, name] = p as [string, "cmd" | "evt", string, string, string]
  return { type, key: { kind, namespace: ns === CLUSTER_SCOPE ? "" : decodeToken(ns), name: decodeToken(name) } }
}

/** "kind/namespace/name", the key's canonical string (used for hashing and maps). */
export const keyString = (k: ActorKey): string => `${k.kind}/${k.namespace}/${k.name}`

/** JetStream resources every moor installation shares. */
export const EVENTS_STREAM = "MOOR_EVENTS"
export const ARTIFACTS_BUCKET = "moor-artifacts"
export const LEASES_BUCKET = "moor-leases"
