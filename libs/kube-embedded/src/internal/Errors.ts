// API errors as the Kubernetes API server reports them: a metav1.Status body with
// a reason, a message and details, and the matching HTTP status code.

/** One field-level cause of an Invalid (422) or conflict error. */
export interface Cause {
  readonly type?: string
  readonly message: string
  readonly field?: string
}

/** Thrown by handlers; the server turns it into a Status response. */
export class StatusError extends Error {
  readonly code: number
  readonly reason: string
  readonly details: Record<string, unknown> | undefined
  constructor(code: number, reason: string, message: string, details?: Record<string, unknown>) {
    super(message)
    this.code = code
    this.reason = reason
    this.details = details
  }
  /** The metav1.Status object sent to the client. */
  toStatus(): Record<string, unknown> {
    const s: Record<string, unknown> = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
    }
    if (this.details !== undefined) s.details = this.details
    s.code = this.code
    return s
  }
}

/** The name of a resource as messages show it: "deployments.apps" or "configmaps". */
export const qualified = (group: string, plural: string): string => (group === "" ? plural : `${plural}.${group}`)

const det = (group: string, plural: string, name: string | undefined): Record<string, unknown> => {
  const d: Record<string, unknown> = {}
  if (name !== undefined && name !== "") d.name = name
  if (group !== "") d.group = group
  d.kind = plural
  return d
}

export const notFound = (group: string, plural: string, name: string): StatusError =>
  new StatusError(404, "NotFound", `${qualified(group, plural)} "${name}" not found`, det(group, plural, name))

export const alreadyExists = (group: string, plural: string, name: string): StatusError =>
  new StatusError(409, "AlreadyExists", `${qualified(group, plural)} "${name}" already exists`, det(group, plural, name))

export const conflict = (group: string, plural: string, name: string, why: string): StatusError =>
  new StatusError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualified(group, plural)} "${name}": ${why}`,
    det(group, plural, name),
  )

export const staleObject = (group: string, plural: string, name: string): StatusError =>
  conflict(group, plural, name, "the object has been modified; please apply your changes to the latest version and try again")

/** 422 Invalid with one cause per field error. */
export const invalid = (group: string, kind: string, name: string, causes: ReadonlyArray<FieldError>): StatusError => {
  const msgs = causes.map(fieldErrorText)
  const summary = msgs.length === 1 ? msgs[0]! : `[${msgs.join(", ")}]`
  return new StatusError(422, "Invalid", `${kind}${group === "" ? "" : "." + group} "${name}" is invalid: ${summary}`, {
    ...(name !== "" ? { name } : {}),
    ...(group !== "" ? { group } : {}),
    kind,
    // Type errors are reported as plain invalid values, as a real server's schema validation does.
    causes: causes.map((c) => ({ reason: c.type === "FieldValueTypeInvalid" ? "FieldValueInvalid" : c.type, message: fieldErrorText(c).slice(c.field.length + 2), field: c.field })),
  })
}

export const badRequest = (message: string): StatusError => new StatusError(400, "BadRequest", message)
export const forbidden = (message: string, details?: Record<string, unknown>): StatusError =>
  new StatusError(403, "Forbidden", message, details)
export const methodNotAllowed = (message: string): StatusError => new StatusError(405, "MethodNotAllowed", message)
export const unsupportedMediaType = (ct: string): StatusError =>
  new StatusError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${ct})`)
export const gone = (message: string): StatusError => new StatusError(410, "Expired", message)
export const unauthorized = (): StatusError => new StatusError(401, "Unauthorized", "Unauthorized")
export const internal = (message: string): StatusError =>
  new StatusError(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] })

/** A field validation error, in the shape of apimachinery's field.Error. */
export interface FieldError {
  readonly type: "FieldValueInvalid" | "FieldValueRequired" | "FieldValueNotSupported" | "FieldValueTypeInvalid" | "FieldValueForbidden" | "FieldValueTooLong" | "FieldValueDuplicate" | "FieldValueTooMany" | "FieldValueNotFound"
  readonly field: string
  readonly detail: string
  readonly value?: unknown
  readonly hasValue?: boolean
}

const typeText: Record<FieldError["type"], string> = {
  FieldValueInvalid: "Invalid value",
  FieldValueRequired: "Required value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueTypeInvalid: "Invalid value",
  FieldValueForbidden: "Forbidden",
  FieldValueTooLong: "Too long",
  FieldValueDuplicate: "Duplicate value",
  FieldValueTooMany: "Too many",
  FieldValueNotFound: "Not found",
}

const showValue = (v: unknown): string => {
  if (typeof v === "string") return JSON.stringify(v)
  if (v === null || v === undefined) return "null"
  if (typeof v === "object") return JSON.stringify(v)
  return String(v)
}

/** "spec.replicas: Invalid value: \"x\": must be ..." */
export const fieldErrorText = (e: FieldError): string => {
  let s = `${e.field}: ${typeText[e.type]}`
  if (e.hasValue === true) s += `: ${showValue(e.value)}`
  if (e.detail !== "") s += `: ${e.detail}`
  return s
}

export const fieldInvalid = (field: string, value: unknown, detail: string): FieldError => ({
  type: "FieldValueInvalid",
  field,
  value,
  hasValue: true,
  detail,
})
export const fieldRequired = (field: string, detail = ""): FieldError => ({ type: "FieldValueRequired", field, detail })
export const fieldForbidden = (field: string, detail: string): FieldError => ({ type: "FieldValueForbidden", field, detail })
export const fieldNotSupported = (field: string, value: unknown, allowed: ReadonlyArray<unknown>): FieldError => ({
  type: "FieldValueNotSupported",
  field,
  value,
  hasValue: true,
  detail: `supported values: ${allowed.map((a) => JSON.stringify(a)).join(", ")}`,
})
export const fieldTypeInvalid = (field: string, value: unknown, detail: string): FieldError => ({
  type: "FieldValueTypeInvalid",
  field,
  value,
  hasValue: true,
  detail,
})
