// The resource types the server serves: built-in kinds and those defined by CRDs,
// looked up by group/version/plural (URLs) and by group/kind (objects).
import type { Definitions, JSONSchema } from "./Schema.ts"
import type { Obj } from "./Store.ts"

/** A column of `kubectl get` output (metav1.TableColumnDefinition plus how to fill it). */
export interface Column {
  readonly name: string
  readonly type: string
  readonly format: string
  readonly description: string
  readonly priority: number
  readonly cell: (o: Obj, now: number) => unknown
}

/** Everything the server knows about one resource. */
export interface ResourceType {
  readonly group: string
  /** Served versions, preferred first. */
  readonly versions: ReadonlyArray<string>
  readonly storageVersion: string
  readonly kind: string
  readonly listKind: string
  readonly plural: string
  readonly singular: string
  readonly shortNames: ReadonlyArray<string>
  readonly categories: ReadonlyArray<string>
  readonly namespaced: boolean
  /** Has a /status subresource: the main endpoint ignores status changes. */
  readonly status: boolean
  /** Has a /scale subresource: the JSON paths of spec replicas, status replicas and selector. */
  readonly scale?: { readonly spec: string; readonly status: string; readonly selector?: string }
  /** metadata.generation is kept and bumped on changes outside metadata and status. */
  readonly generation: boolean
  /** Collection where objects are stored (shared by kinds served under two groups). */
  readonly storage: string
  /** Schema per version (the whole object), with the definitions its `$ref`s use. */
  readonly schema: (version: string) => JSONSchema | undefined
  readonly defs: Definitions
  /** Schema of the stored form, when it differs from the served one (events.k8s.io is stored as core/v1 Event). */
  readonly storageSchema?: JSONSchema
  /** Custom resources: apply schema defaults, prune unknown fields silently (no Go struct). */
  readonly custom: boolean
  readonly columns: (version: string) => ReadonlyArray<Column>
  /** Convert a stored object to a served version and back (events.k8s.io). */
  readonly toVersion?: (o: Obj, version: string) => Obj
  readonly fromVersion?: (o: Obj, version: string) => Obj
  /** Fill in the defaults a real server sets (e.g. Deployment strategy). */
  readonly defaulter?: (o: Obj, old: Obj | undefined) => void
  /** Kind-specific semantic checks, beyond the schema. */
  readonly validator?: (o: Obj, old: Obj | undefined) => import("./Errors.ts").FieldError[]
  /** Name rule: "subdomain" (most), "label" (namespaces), "dns1035" (services), "path" (rbac). */
  readonly nameRule: "subdomain" | "label" | "dns1035" | "path"
  /** The CRD that defines it, for custom resources. */
  readonly crd?: string
}

/** The schema writes are checked against: objects are validated in their stored form. */
export const storedSchema = (rt: ResourceType): JSONSchema | undefined => rt.storageSchema ?? rt.schema(rt.storageVersion)

/** The apiVersion string of a group/version. */
export const apiVersionOf = (group: string, version: string): string => (group === "" ? version : `${group}/${version}`)

/** All served resource types, indexed for the router and for objects. */
export class Registry {
  private readonly byPlural = new Map<string, ResourceType>()
  private readonly byKind = new Map<string, ResourceType>()
  private readonly list: ResourceType[] = []
  /** Bumped on every change, so discovery caches know when to rebuild. */
  generation = 0

  add(rt: ResourceType): void {
    this.remove(rt.group, rt.plural)
    this.list.push(rt)
    this.byPlural.set(`${rt.group}/${rt.plural}`, rt)
    this.byKind.set(`${rt.group}/${rt.kind}`, rt)
    this.generation++
  }

  remove(group: string, plural: string): ResourceType | undefined {
    const rt = this.byPlural.get(`${group}/${plural}`)
    if (rt === undefined) return undefined
    this.byPlural.delete(`${group}/${plural}`)
    if (this.byKind.get(`${group}/${rt.kind}`) === rt) this.byKind.delete(`${group}/${rt.kind}`)
    this.list.splice(this.list.indexOf(rt), 1)
    this.generation++
    return rt
  }

  /** The type served at /apis/<group>/<version>/<plural>, if that version is served. */
  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    const rt = this.byPlural.get(`${group}/${plural}`)
    return rt !== undefined && rt.versions.includes(version) ? rt : undefined
  }

  byGroupKind(group: string, kind: string): ResourceType | undefined {
    return this.byKind.get(`${group}/${kind}`)
  }

  all(): ReadonlyArray<ResourceType> {
    return this.list
  }

  /** Groups with their served versions, in registration order (core first). */
  groups(): Array<{ group: string; versions: string[] }> {
    const out = new Map<string, string[]>()
    for (const rt of this.list) {
      const vs = out.get(rt.group) ?? []
      for (const v of rt.versions) if (!vs.includes(v)) vs.push(v)
      out.set(rt.group, vs)
    }
    return [...out].map(([group, versions]) => ({ group, versions }))
  }

  /** Resource types served in one group/version. */
  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.list.filter((rt) => rt.group === group && rt.versions.includes(version))
  }
}
