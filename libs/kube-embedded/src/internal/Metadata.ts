// Object metadata rules: names, labels and annotations checked as Kubernetes checks them,
// and the system fields (uid, creationTimestamp, generation) set as a real server sets them.
import { type FieldError, fieldForbidden, fieldInvalid, fieldRequired } from "./Errors.ts"
import type { Obj } from "./Store.ts"

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
const QUALIFIED_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

/** Errors of a name under one of the naming rules. */
export const nameErrors = (name: string, rule: "subdomain" | "label" | "dns1035" | "path", field: string): FieldError[] => {
  const errs: FieldError[] = []
  if (rule === "path") {
    if (name === "." || name === "..") errs.push(fieldInvalid(field, name, `may not be '${name}'`))
    for (const bad of ["/", "%"]) if (name.includes(bad)) errs.push(fieldInvalid(field, name, `may not contain '${bad}'`))
    return errs
  }
  if (rule === "subdomain") {
    if (name.length > 253) errs.push(fieldInvalid(field, name, "must be no more than 253 characters"))
    if (!DNS1123_SUBDOMAIN.test(name)) errs.push(fieldInvalid(field, name, SUBDOMAIN_MSG))
  } else if (rule === "label") {
    if (name.length > 63) errs.push(fieldInvalid(field, name, "must be no more than 63 characters"))
    if (!DNS1123_LABEL.test(name)) errs.push(fieldInvalid(field, name, LABEL_MSG))
  } else {
    if (name.length > 63) errs.push(fieldInvalid(field, name, "must be no more than 63 characters"))
    if (!DNS1035_LABEL.test(name)) errs.push(fieldInvalid(field, name, DNS1035_MSG))
  }
  return errs
}

/** Errors of a label or annotation key (optional DNS subdomain prefix, then a qualified name). */
export const keyErrors = (key: string, field: string): FieldError[] => {
  const errs: FieldError[] = []
  const slash = key.split("/")
  let name = key
  if (slash.length === 2) {
    const prefix = slash[0]!
    name = slash[1]!
    if (prefix.length === 0) errs.push(fieldInvalid(field, key, "prefix part must be non-empty"))
    else if (!DNS1123_SUBDOMAIN.test(prefix) || prefix.length > 253) errs.push(fieldInvalid(field, key, `prefix part ${SUBDOMAIN_MSG}`))
  } else if (slash.length > 2) {
    errs.push(fieldInvalid(field, key, `${QUALIFIED_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`))
    return errs
  }
  if (name.length === 0) errs.push(fieldInvalid(field, key, "name part must be non-empty"))
  else if (name.length > 63) errs.push(fieldInvalid(field, key, "name part must be no more than 63 characters"))
  else if (!QUALIFIED_NAME.test(name)) errs.push(fieldInvalid(field, key, QUALIFIED_MSG))
  return errs
}

/** Checks metadata.name, labels, annotations, finalizers and owner references. */
export const metadataErrors = (o: Obj, rule: "subdomain" | "label" | "dns1035" | "path", namespaced: boolean): FieldError[] => {
  const m = o.metadata
  const errs: FieldError[] = []
  if (m === undefined || m === null || typeof m !== "object") return [fieldRequired("metadata")]
  if (typeof m.name !== "string" || m.name === "") {
    if (typeof m.generateName !== "string" || m.generateName === "") errs.push(fieldRequired("metadata.name", "name or generateName is required"))
  } else errs.push(...nameErrors(m.name, rule, "metadata.name"))
  if (namespaced && (typeof m.namespace !== "string" || m.namespace === "")) errs.push(fieldRequired("metadata.namespace"))
  if (m.labels !== undefined && m.labels !== null) {
    for (const [k, v] of Object.entries(m.labels as Record<string, unknown>)) {
      errs.push(...keyErrors(k, "metadata.labels"))
      if (typeof v !== "string") continue
      if (v.length > 63) errs.push(fieldInvalid("metadata.labels", v, "must be no more than 63 characters"))
      else if (!LABEL_VALUE.test(v)) errs.push(fieldInvalid("metadata.labels", v, VALUE_MSG))
    }
  }
  if (m.annotations !== undefined && m.annotations !== null) {
    let size = 0
    for (const [k, v] of Object.entries(m.annotations as Record<string, unknown>)) {
      errs.push(...keyErrors(k.toLowerCase(), "metadata.annotations"))
      size += k.length + (typeof v === "string" ? v.length : 0)
    }
    if (size > 256 * 1024) errs.push({ type: "FieldValueTooLong", field: "metadata.annotations", detail: "may not be more than 262144 bytes", hasValue: false })
  }
  if (Array.isArray(m.finalizers)) {
    m.finalizers.forEach((f: unknown, i: number) => {
      if (typeof f !== "string") return
      const e = keyErrors(f, `metadata.finalizers[${i}]`)
      if (e.length > 0) errs.push(...e)
      else if (!f.includes("/") && !["kubernetes", "orphan", "foregroundDeletion"].includes(f)) {
        // Real servers only warn here (finalizer names should be fully qualified).
      }
    })
  }
  if (Array.isArray(m.ownerReferences)) {
    let controllers = 0
    m.ownerReferences.forEach((r: Obj, i: number) => {
      const f = `metadata.ownerReferences[${i}]`
      if (r === null || typeof r !== "object") return
      if (!r.apiVersion) errs.push(fieldInvalid(`${f}.apiVersion`, r.apiVersion ?? "", "version must not be empty"))
      if (!r.kind) errs.push(fieldInvalid(`${f}.kind`, r.kind ?? "", "kind must not be empty"))
      if (!r.name) errs.push(fieldInvalid(`${f}.name`, r.name ?? "", "name must not be empty"))
      if (!r.uid) errs.push(fieldInvalid(`${f}.uid`, r.uid ?? "", "uid must not be empty"))
      if (r.controller === true) controllers++
    })
    if (controllers > 1) errs.push(fieldInvalid("metadata.ownerReferences", m.ownerReferences, "Only one reference can have Controller set to true"))
  }
  return errs
}

/** Checks that an update keeps what may not change (name, uid, creationTimestamp via the server). */
export const immutableMetaErrors = (o: Obj, old: Obj): FieldError[] => {
  const errs: FieldError[] = []
  const m = o.metadata ?? {}
  if (m.uid !== undefined && m.uid !== "" && m.uid !== old.metadata.uid) errs.push(fieldInvalid("metadata.uid", m.uid, "field is immutable"))
  if (Array.isArray(m.finalizers) && old.metadata.deletionTimestamp !== undefined) {
    const before: string[] = old.metadata.finalizers ?? []
    for (const f of m.finalizers) {
      if (!before.includes(f)) errs.push(fieldForbidden("metadata.finalizers", `no new finalizers can be added if the object is being deleted, found new finalizers []string{${JSON.stringify(f)}}`))
    }
  }
  return errs
}

const META_ORDER = [
  "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
  "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
]

/** The object with keys in the order a real server writes them (apiVersion, kind, metadata, ..., status). */
export const normalize = (o: Obj): Obj => {
  const out: Obj = { kind: o.kind, apiVersion: o.apiVersion }
  const m = o.metadata ?? {}
  const meta: Obj = {}
  for (const k of META_ORDER) if (m[k] !== undefined && m[k] !== null) meta[k] = m[k]
  for (const k in m) if (!(k in meta) && m[k] !== undefined && m[k] !== null && !META_ORDER.includes(k)) meta[k] = m[k]
  if (Array.isArray(meta.finalizers) && meta.finalizers.length === 0) delete meta.finalizers
  if (Array.isArray(meta.ownerReferences) && meta.ownerReferences.length === 0) delete meta.ownerReferences
  if (Array.isArray(meta.managedFields) && meta.managedFields.length === 0) delete meta.managedFields
  out.metadata = meta
  for (const k in o) if (k !== "apiVersion" && k !== "kind" && k !== "metadata" && k !== "status" && o[k] !== undefined) out[k] = o[k]
  if (o.status !== undefined) out.status = o.status
  return out
}

/** RFC 3339 with second precision, as metav1.Time marshals. */
export const timestamp = (ms = Date.now()): string => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z")

/** A random UUID in the v4 form Kubernetes uses for metadata.uid. */
export const newUid = (): string => crypto.randomUUID()

const ALNUM = "bcdfghjklmnpqrstvwxz2456789"
/** The random suffix generateName gets (5 characters from Kubernetes' safe alphabet). */
export const nameSuffix = (): string => {
  let s = ""
  for (let i = 0; i < 5; i++) s += ALNUM[Math.floor(Math.random() * ALNUM.length)]
  return s
}
