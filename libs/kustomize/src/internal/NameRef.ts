// Name references: after a build renames objects (prefix, suffix, content hash), every field
// that names a ConfigMap, Secret, ServiceAccount, Service, PVC, Role or workload is rewritten
// to the referred object's final name. One index by kind keeps this linear in the resources.
import { isNamespaced, isObj, kindOf, nameOf, nsOf, type Obj, type Res } from "./Resource.ts"

/** Resolves a reference to `kind`/`name` (in namespace `ns`, the referrer's by default). */
type Fix = (kind: string, name: unknown, set: (v: string, target: Res) => void, ns?: string) => void

const podSpecOf = (r: Res): Obj | undefined => {
  switch (kindOf(r)) {
    case "Pod":
      return r.obj.spec
    case "Deployment":
    case "ReplicaSet":
    case "DaemonSet":
    case "StatefulSet":
    case "Job":
    case "ReplicationController":
      return r.obj.spec?.template?.spec
    case "CronJob":
      return r.obj.spec?.jobTemplate?.spec?.template?.spec
    default:
      return undefined
  }
}

const each = (v: unknown, fn: (o: Obj) => void) => {
  if (Array.isArray(v)) for (const x of v) if (isObj(x)) fn(x)
}

const fixPodSpec = (spec: Obj, fix: Fix) => {
  const ref = (o: unknown, field: string, kind: string) => {
    if (isObj(o)) fix(kind, o[field], (v) => (o[field] = v))
  }
  each(spec.volumes, (v) => {
    ref(v.configMap, "name", "ConfigMap")
    ref(v.secret, "secretName", "Secret")
    ref(v.persistentVolumeClaim, "claimName", "PersistentVolumeClaim")
    each(v.projected?.sources, (s) => {
      ref(s.configMap, "name", "ConfigMap")
      ref(s.secret, "name", "Secret")
    })
  })
  for (const list of ["containers", "initContainers", "ephemeralContainers"]) {
    each(spec[list], (c) => {
      each(c.env, (e) => {
        ref(e.valueFrom?.configMapKeyRef, "name", "ConfigMap")
        ref(e.valueFrom?.secretKeyRef, "name", "Secret")
      })
      each(c.envFrom, (e) => {
        ref(e.configMapRef, "name", "ConfigMap")
        ref(e.secretRef, "name", "Secret")
      })
    })
  }
  each(spec.imagePullSecrets, (s) => ref(s, "name", "Secret"))
  fix("ServiceAccount", spec.serviceAccountName, (v) => (spec.serviceAccountName = v))
}

/** A `service: {name, namespace}` reference of a cluster-scoped object. */
const svcRef = (svc: unknown, fix: Fix) => {
  if (!isObj(svc)) return
  fix("Service", svc.name, (v) => (svc.name = v), typeof svc.namespace === "string" ? svc.namespace : "")
}

const fixOther = (r: Res, fix: Fix) => {
  const o = r.obj
  const ref = (x: unknown, field: string, kind: string) => {
    if (isObj(x)) fix(kind, x[field], (v) => (x[field] = v))
  }
  switch (kindOf(r)) {
    case "StatefulSet":
      ref(o.spec, "serviceName", "Service")
      break
    case "Ingress":
      ref(o.spec?.defaultBackend?.service, "name", "Service")
      ref(o.spec?.backend, "serviceName", "Service")
      each(o.spec?.rules, (rule) =>
        each(rule.http?.paths, (p) => {
          ref(p.backend?.service, "name", "Service")
          ref(p.backend, "serviceName", "Service")
        }),
      )
      each(o.spec?.tls, (t) => ref(t, "secretName", "Secret"))
      break
    case "RoleBinding":
    case "ClusterRoleBinding":
      if (isObj(o.roleRef) && typeof o.roleRef.kind === "string") ref(o.roleRef, "name", o.roleRef.kind)
      each(o.subjects, (s) => {
        // A subject naming a ServiceAccount of the build follows its name and namespace.
        if (s.kind === "ServiceAccount")
          fix(
            "ServiceAccount",
            s.name,
            (v, t) => {
              s.name = v
              if (nsOf(t) !== "") s.namespace = nsOf(t)
            },
            typeof s.namespace === "string" ? s.namespace : undefined,
          )
      })
      break
    case "MutatingWebhookConfiguration":
    case "ValidatingWebhookConfiguration":
      each(o.webhooks, (w) => svcRef(w.clientConfig?.service, fix))
      break
    case "APIService":
      svcRef(o.spec?.service, fix)
      break
    case "CustomResourceDefinition":
      svcRef(o.spec?.conversion?.webhook?.clientConfig?.service, fix)
      break
    case "HorizontalPodAutoscaler":
      if (isObj(o.spec?.scaleTargetRef)) ref(o.spec.scaleTargetRef, "name", String(o.spec.scaleTargetRef.kind))
      break
    case "ServiceAccount":
      // kustomize renames imagePullSecrets of a ServiceAccount but not its `secrets`.
      each(o.imagePullSecrets, (s) => ref(s, "name", "Secret"))
      break
  }
}

/** Rewrites references to renamed objects to their final names. */
export const fixNameReferences = (rs: Res[]): void => {
  // Index kind -> any name the object has had -> objects, so each reference is a lookup.
  const index = new Map<string, Map<string, Res[]>>()
  const add = (r: Res) => {
    const k = kindOf(r)
    let m = index.get(k)
    if (m === undefined) index.set(k, (m = new Map()))
    for (const n of new Set(r.names)) {
      const list = m.get(n)
      if (list === undefined) m.set(n, [r])
      else list.push(r)
    }
  }
  for (const r of rs) {
    // ServiceAccounts count even when not renamed: a namespace change moves subjects.
    if (r.names.length > 1 || r.names[0] !== nameOf(r) || kindOf(r) === "ServiceAccount") add(r)
  }
  if (index.size === 0) return
  for (const r of rs) {
    const ns = nsOf(r)
    const fix: Fix = (kind, name, set, subjectNs) => {
      if (typeof name !== "string") return
      const cands = index.get(kind)?.get(name)
      if (cands === undefined || cands.length === 0) return
      // A namespaced object is only referred to from its own namespace; a subject names its
      // ServiceAccount's namespace, which may be any it has had ("" reads as "default").
      const norm = (n: string) => (n === "" ? "default" : n)
      let pick = !isNamespaced(kind)
        ? cands
        : subjectNs !== undefined
          ? cands.filter((c) => c.namespaces.some((n) => norm(n) === norm(subjectNs)))
          : cands.filter((c) => nsOf(c) === ns)
      if (pick.length > 1) pick = pick.filter((c) => c.affixes.join("/") === r.affixes.join("/"))
      const finals = new Set(pick.map(nameOf))
      if (finals.size === 1) set([...finals][0]!, pick[0]!)
    }
    const spec = podSpecOf(r)
    if (isObj(spec)) fixPodSpec(spec, fix)
    fixOther(r, fix)
  }
}
