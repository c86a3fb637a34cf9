// The controllers a control plane runs that clients can observe: garbage collection by
// ownerReferences (background, foreground, orphan), namespace deletion, the default
// ServiceAccount of each namespace, and CRD establishment and cleanup.
import type { Api, WriteOptions } from "./Api.ts"
import { CLEANUP_FINALIZER, crdType, establishedStatus } from "./Crd.ts"
import { StatusError } from "./Errors.ts"
import { timestamp } from "./Metadata.ts"
import type { ResourceType } from "./Registry.ts"
import type { Obj, StoreEvent } from "./Store.ts"

const SYSTEM: WriteOptions = { dryRun: false, fieldManager: undefined, fieldValidation: "Ignore", subresource: undefined, warnings: [] }
const sys = (subresource?: string): WriteOptions => ({ ...SYSTEM, subresource, warnings: [] })

const ignore404 = (f: () => void): void => {
  try {
    f()
  } catch (e) {
    if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) console.error("kube-embedded controller:", e)
  }
}

type Ref = { storage: string; ns: string | undefined; name: string }

/** Runs the controllers off the store's change hooks. */
export class Controllers {
  private readonly api: Api
  /** owner uid -> dependents ("storage\0ns\0name") */
  private readonly owned = new Map<string, Set<string>>()
  private readonly queue: Array<() => void> = []
  private scheduled = false
  private closed = false

  /** PEM published in each namespace as ConfigMap kube-root-ca.crt (root CA publisher). */
  rootCa = ""

  constructor(api: Api) {
    this.api = api
    api.dependents = (uid) => (this.owned.get(uid)?.size ?? 0) > 0
    api.store.hooks.push((c, ev) => this.onEvent(c, ev))
  }

  close(): void {
    this.closed = true
  }

  /** Work runs after the current request, as a real controller's would (asynchronously). */
  private later(f: () => void): void {
    this.queue.push(f)
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      const fs = this.queue.splice(0)
      if (this.closed) return
      for (const g of fs) ignore404(g)
    })
  }

  /** Rebuild indexes and resume pending work after loading persisted objects. */
  resync(): void {
    for (const [name, c] of this.api.store.collections) {
      for (const o of c.objects.values()) this.onEvent(name, { rv: 0, type: "ADDED", obj: o, prev: undefined })
    }
  }

  private rtOf(o: Obj): ResourceType | undefined {
    const av: string = o.apiVersion ?? ""
    const group = av.includes("/") ? av.split("/")[0]! : ""
    return this.api.registry.byGroupKind(group, o.kind)
  }

  private onEvent(collection: string, ev: StoreEvent): void {
    const o = ev.obj
    this.indexOwners(collection, ev)
    const uid: string = o.metadata.uid
    if (ev.type === "DELETED") {
      const deps = this.owned.get(uid)
      if (deps !== undefined && deps.size > 0) this.later(() => this.collectDependents(uid))
      for (const r of o.metadata.ownerReferences ?? []) this.later(() => this.finishForeground(r))
      if (o.metadata.namespace !== undefined) {
        const ns = this.api.store.get("core/namespaces", o.metadata.namespace)
        if (ns?.metadata.deletionTimestamp !== undefined) this.later(() => this.finishNamespace(ns.metadata.name))
      }
    } else {
      const fin: string[] = o.metadata.finalizers ?? []
      if (o.metadata.deletionTimestamp !== undefined) {
        if (fin.includes("orphan")) this.later(() => this.orphan(o))
        if (fin.includes("foregroundDeletion")) this.later(() => this.foreground(o))
      }
      if (ev.type === "ADDED" && (o.metadata.ownerReferences ?? []).length > 0) {
        const t = setTimeout(() => this.later(() => this.checkDangling(collection, o)), 200)
        t.unref()
      }
    }
    if (collection === "core/namespaces") this.onNamespace(ev)
    if (collection === "apiextensions.k8s.io/customresourcedefinitions") this.onCrd(ev)
  }

  private indexOwners(collection: string, ev: StoreEvent): void {
    const key = (o: Obj) => `${collection}\0${o.metadata.namespace ?? ""}\0${o.metadata.name}`
    const before: Obj[] = ev.prev?.metadata.ownerReferences ?? []
    const after: Obj[] = ev.type === "DELETED" ? [] : (ev.obj.metadata.ownerReferences ?? [])
    if (before.length === 0 && after.length === 0) return
    for (const r of before) this.owned.get(r.uid)?.delete(key(ev.prev!))
    if (ev.type === "DELETED") for (const r of ev.obj.metadata.ownerReferences ?? []) this.owned.get(r.uid)?.delete(key(ev.obj))
    for (const r of after) {
      let s = this.owned.get(r.uid)
      if (s === undefined) this.owned.set(r.uid, (s = new Set()))
      s.add(key(ev.obj))
    }
  }

  private depRefs(uid: string): Ref[] {
    return [...(this.owned.get(uid) ?? [])].map((k) => {
      const [storage, ns, name] = k.split("\0") as [string, string, string]
      return { storage, ns: ns === "" ? undefined : ns, name }
    })
  }

  private fetch(r: Ref): Obj | undefined {
    return this.api.store.get(r.storage, r.ns === undefined ? r.name : `${r.ns}/${r.name}`)
  }

  private ownerAlive(dep: Obj, ref: Obj): boolean {
    const av: string = ref.apiVersion ?? ""
    const group = av.includes("/") ? av.split("/")[0]! : ""
    const rt = this.api.registry.byGroupKind(group, ref.kind)
    if (rt === undefined) return true
    const owner = this.api.lookup(rt, dep.metadata.namespace, ref.name)
    return owner !== undefined && owner.metadata.uid === ref.uid
  }

  private removeOwnerRef(dep: Obj, uid: string): void {
    const rt = this.rtOf(dep)
    if (rt === undefined) return
    const next = structuredClone(dep)
    next.metadata.ownerReferences = (dep.metadata.ownerReferences ?? []).filter((r: Obj) => r.uid !== uid)
    this.api.write(rt, rt.storageVersion, dep, next, sys(), { kind: "update", manager: "kube-controller-manager" })
  }

  /** Owner gone: delete dependents that have no other live owner, else drop the reference. */
  private collectDependents(uid: string): void {
    for (const r of this.depRefs(uid)) {
      const dep = this.fetch(r)
      if (dep === undefined) continue
      const others = (dep.metadata.ownerReferences ?? []).filter((x: Obj) => x.uid !== uid)
      const rt = this.rtOf(dep)
      if (rt === undefined) continue
      if (others.some((x: Obj) => this.ownerAlive(dep, x))) ignore404(() => this.removeOwnerRef(dep, uid))
      else ignore404(() => this.api.delete(rt, dep.metadata.namespace, dep.metadata.name, { dryRun: false, propagationPolicy: "Background", preconditions: undefined }))
    }
  }

  private checkDangling(collection: string, o: Obj): void {
    const cur = this.api.store.get(collection, o.metadata.namespace === undefined ? o.metadata.name : `${o.metadata.namespace}/${o.metadata.name}`)
    if (cur === undefined || cur.metadata.uid !== o.metadata.uid) return
    const refs: Obj[] = cur.metadata.ownerReferences ?? []
    if (refs.length === 0 || refs.some((r) => this.ownerAlive(cur, r))) return
    const rt = this.rtOf(cur)
    if (rt !== undefined) this.api.delete(rt, cur.metadata.namespace, cur.metadata.name, { dryRun: false, propagationPolicy: "Background", preconditions: undefined })
  }

  private removeFinalizer(o: Obj, f: string): void {
    const rt = this.rtOf(o)
    const cur = rt === undefined ? undefined : this.api.lookup(rt, o.metadata.namespace, o.metadata.name)
    if (rt === undefined || cur === undefined || !(cur.metadata.finalizers ?? []).includes(f)) return
    const next = structuredClone(cur)
    next.metadata.finalizers = cur.metadata.finalizers.filter((x: string) => x !== f)
    this.api.write(rt, rt.storageVersion, cur, next, sys(), { kind: "update", manager: "kube-controller-manager" })
  }

  private orphan(o: Obj): void {
    for (const r of this.depRefs(o.metadata.uid)) {
      const dep = this.fetch(r)
      if (dep !== undefined) ignore404(() => this.removeOwnerRef(dep, o.metadata.uid))
    }
    this.removeFinalizer(o, "orphan")
  }

  private foreground(o: Obj): void {
    const deps = this.depRefs(o.metadata.uid)
    if (deps.length === 0) {
      this.removeFinalizer(o, "foregroundDeletion")
      return
    }
    for (const r of deps) {
      const dep = this.fetch(r)
      const rt = dep === undefined ? undefined : this.rtOf(dep)
      if (dep === undefined || rt === undefined || dep.metadata.deletionTimestamp !== undefined) continue
      ignore404(() => this.api.delete(rt, dep.metadata.namespace, dep.metadata.name, { dryRun: false, propagationPolicy: "Foreground", preconditions: undefined }))
    }
  }

  private finishForeground(ref: Obj): void {
    if ((this.owned.get(ref.uid)?.size ?? 0) > 0) return
    for (const c of this.api.store.collections.values()) {
      for (const o of c.objects.values()) {
        if (o.metadata.uid === ref.uid && (o.metadata.finalizers ?? []).includes("foregroundDeletion")) {
          this.removeFinalizer(o, "foregroundDeletion")
          return
        }
      }
    }
  }

  // ---- namespaces ----

  private onNamespace(ev: StoreEvent): void {
    const ns = ev.obj
    if (ev.type === "ADDED" && ns.metadata.deletionTimestamp === undefined) {
      this.later(() => {
        const rt = this.api.registry.byGroupKind("", "ServiceAccount")
        if (rt === undefined || this.api.lookup(rt, ns.metadata.name, "default") !== undefined) return
        if (this.api.store.get("core/namespaces", ns.metadata.name)?.metadata.deletionTimestamp !== undefined) return
        this.api.create(rt, "v1", ns.metadata.name, { metadata: { name: "default" } }, sys(), "kube-controller-manager")
      })
      this.later(() => {
        const rt = this.api.registry.byGroupKind("", "ConfigMap")
        if (rt === undefined || this.api.lookup(rt, ns.metadata.name, "kube-root-ca.crt") !== undefined) return
        if (this.api.store.get("core/namespaces", ns.metadata.name)?.metadata.deletionTimestamp !== undefined) return
        const body = { metadata: { name: "kube-root-ca.crt", annotations: { "kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." } }, data: { "ca.crt": this.rootCa } }
        this.api.create(rt, "v1", ns.metadata.name, body, sys(), "kube-controller-manager")
      })
    }
    if (ev.type !== "DELETED" && ns.metadata.deletionTimestamp !== undefined) this.later(() => this.drainNamespace(ns.metadata.name))
  }

  private drainNamespace(name: string): void {
    for (const rt of this.api.registry.all()) {
      if (!rt.namespaced) continue
      const c = this.api.store.collections.get(rt.storage)
      if (c === undefined) continue
      for (const o of [...c.objects.values()]) {
        if (o.metadata.namespace !== name || o.metadata.deletionTimestamp !== undefined) continue
        if (rt.storage === "events" && o.apiVersion !== "v1") continue
        ignore404(() => this.api.delete(rt, name, o.metadata.name, { dryRun: false, propagationPolicy: "Background", preconditions: undefined }))
      }
    }
    this.finishNamespace(name)
  }

  private finishNamespace(name: string): void {
    const ns = this.api.store.get("core/namespaces", name)
    if (ns === undefined || ns.metadata.deletionTimestamp === undefined) return
    for (const c of this.api.store.collections.values()) {
      for (const o of c.objects.values()) if (o.metadata.namespace === name) return
    }
    const rt = this.api.registry.byGroupKind("", "Namespace")!
    const next = structuredClone(ns)
    if (next.spec?.finalizers !== undefined) delete next.spec.finalizers
    this.api.write(rt, "v1", ns, next, sys("finalize"), { kind: "update", manager: "kube-controller-manager" })
  }

  // ---- CRDs ----

  private onCrd(ev: StoreEvent): void {
    const crd = ev.obj
    const reg = this.api.registry
    const prevType = ev.prev === undefined ? undefined : crdType(ev.prev)
    if (ev.type === "DELETED") {
      if (prevType !== undefined) reg.remove(prevType.group, prevType.plural)
      const t = crdType(crd)
      if (t !== undefined && reg.lookup(t.group, t.versions[0]!, t.plural)?.crd === crd.metadata.name) reg.remove(t.group, t.plural)
      return
    }
    const t = crdType(crd)
    if (prevType !== undefined && (t === undefined || prevType.plural !== t.plural || prevType.group !== t.group)) reg.remove(prevType.group, prevType.plural)
    if (crd.metadata.deletionTimestamp !== undefined) {
      this.later(() => this.cleanupCrd(crd))
      return
    }
    if (t !== undefined) reg.add(t)
    this.later(() => {
      const rt = reg.byGroupKind("apiextensions.k8s.io", "CustomResourceDefinition")!
      const cur = this.api.lookup(rt, undefined, crd.metadata.name)
      if (cur === undefined) return
      const next = structuredClone(cur)
      if (!(next.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) {
        next.metadata.finalizers = [...(next.metadata.finalizers ?? []), CLEANUP_FINALIZER]
        this.api.write(rt, "v1", cur, next, sys(), { kind: "update", manager: "kube-apiserver" })
      }
      const now = this.api.lookup(rt, undefined, crd.metadata.name)!
      const st = structuredClone(now)
      st.status = establishedStatus(now, timestamp())
      this.api.write(rt, "v1", now, st, sys("status"), { kind: "update", manager: "kube-apiserver" })
    })
  }

  private cleanupCrd(crd: Obj): void {
    const t = crdType(crd)
    if (t !== undefined) {
      const c = this.api.store.collections.get(t.storage)
      for (const o of [...(c?.objects.values() ?? [])]) {
        if (o.metadata.deletionTimestamp !== undefined) continue
        ignore404(() => this.api.delete(t, o.metadata.namespace, o.metadata.name, { dryRun: false, propagationPolicy: "Background", preconditions: undefined }))
      }
      if ((c?.objects.size ?? 0) > 0) {
        const r = setTimeout(() => this.later(() => this.cleanupCrd(crd)), 100)
        r.unref()
        return
      }
      this.api.registry.remove(t.group, t.plural)
    }
    this.removeFinalizer(crd, CLEANUP_FINALIZER)
  }
}
