// HTTP plumbing: authentication (bearer token), impersonation headers and the audit log,
// request parsing (JSON, YAML for apply), routing of the Kubernetes URL layout, and
// responses (JSON, Status errors, Warning headers).
import type { IncomingMessage, ServerResponse } from "node:http"
import { parse as parseYaml } from "yaml"
import * as Disc from "./Discovery.ts"
import { badRequest, internal, notFound, StatusError, unauthorized } from "./Errors.ts"
import type { Obj } from "./Store.ts"

/** One request as the audit log records it. */
export interface AuditEvent {
  readonly time: string
  readonly verb: string
  readonly method: string
  readonly path: string
  readonly user: string
  /** The identity a request was made as through Impersonate-* headers. */
  readonly impersonatedUser: string | undefined
  readonly impersonatedGroups: ReadonlyArray<string>
  readonly impersonatedUid: string | undefined
  readonly userAgent: string
  readonly code: number
}

/** What a resource request addresses. */
export interface Target {
  readonly group: string
  readonly version: string
  readonly namespace: string | undefined
  readonly plural: string
  readonly name: string | undefined
  readonly subresource: string | undefined
  readonly watchPath: boolean
}

/** A parsed request handed to the resource handlers. */
export interface Req {
  readonly method: string
  readonly target: Target
  readonly query: URLSearchParams
  readonly headers: IncomingMessage["headers"]
  readonly contentType: string
  readonly body: () => Promise<unknown>
  readonly raw: () => Promise<string>
  readonly rawBytes: () => Promise<Buffer>
  readonly userAgent: string
  readonly res: ServerResponse
}

/** Parse /api/v1/... and /apis/g/v/... into a target; undefined for other paths. */
export const parseTarget = (path: string): Target | undefined => {
  const parts = path.split("/").filter((p) => p !== "")
  let group: string
  let version: string
  let rest: string[]
  if (parts[0] === "api" && parts.length >= 3) {
    group = ""
    version = parts[1]!
    rest = parts.slice(2)
  } else if (parts[0] === "apis" && parts.length >= 4) {
    group = parts[1]!
    version = parts[2]!
    rest = parts.slice(3)
  } else return undefined
  rest = rest.map(decodeURIComponent)
  let watchPath = false
  if (rest[0] === "watch") {
    watchPath = true
    rest = rest.slice(1)
  }
  let namespace: string | undefined
  if (rest[0] === "namespaces" && rest.length >= 3 && rest[2] !== "status" && rest[2] !== "finalize") {
    namespace = rest[1]
    rest = rest.slice(2)
  }
  if (rest.length === 0 || rest.length > 3) return undefined
  return { group, version, namespace, plural: rest[0]!, name: rest[1], subresource: rest[2], watchPath }
}

/** Read the request body (bounded like a real server: 3 MiB). */
export const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on("data", (c: Buffer) => {
      size += c.length
      if (size > 3 * 1024 * 1024) {
        reject(new StatusError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728"))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })

/** Decode a body as JSON, or as YAML for apply patches. */
export const decodeBody = (text: string, contentType: string): unknown => {
  const t = text.trim()
  if (t === "") throw badRequest("the body of the request is empty")
  if (t[0] === "{" || t[0] === "[") {
    try {
      return JSON.parse(t)
    } catch (e) {
      if (!contentType.includes("yaml")) throw badRequest(`error decoding JSON: ${(e as Error).message}`)
    }
  }
  if (contentType.includes("yaml")) {
    try {
      return parseYaml(t)
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`)
    }
  }
  throw badRequest(`couldn't get version/kind; json parse error: invalid character '${t[0]}' looking for beginning of value`)
}

/** Send a JSON response (a prepared string or an object). */
export const send = (res: ServerResponse, code: number, body: Obj | string, warnings: ReadonlyArray<string> = []): void => {
  const text = typeof body === "string" ? body : JSON.stringify(body)
  const headers: Record<string, string | string[]> = { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(text)) }
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`)
  res.writeHead(code, headers)
  res.end(text)
}

export const sendError = (res: ServerResponse, e: unknown): number => {
  const se = e instanceof StatusError ? e : internal(e instanceof Error ? e.message : String(e))
  if (!(e instanceof StatusError)) console.error("kube-embedded: internal error", e)
  if (!res.headersSent) send(res, se.code, se.toStatus())
  else res.end()
  return se.code
}

/** Verb of a request, as audit logs and RBAC name it. */
export const verbOf = (method: string, t: Target | undefined, query: URLSearchParams): string => {
  if (t === undefined) return method.toLowerCase()
  switch (method) {
    case "GET":
      if (t.watchPath || query.get("watch") === "true" || query.get("watch") === "1") return "watch"
      return t.name === undefined ? "list" : "get"
    case "POST":
      return "create"
    case "PUT":
      return "update"
    case "PATCH":
      return "patch"
    case "DELETE":
      return t.name === undefined ? "deletecollection" : "delete"
    default:
      return method.toLowerCase()
  }
}

/** Who is calling: the token's user, and whom it impersonates. */
export const authenticate = (req: IncomingMessage, token: string): { user: string; groups: string[] } & Pick<AuditEvent, "impersonatedUser" | "impersonatedGroups" | "impersonatedUid"> => {
  const auth = req.headers.authorization
  if (auth !== `Bearer ${token}`) throw unauthorized()
  const imp = req.headers["impersonate-user"]
  const groupsHdr = req.headers["impersonate-group"]
  const groups = groupsHdr === undefined ? [] : Array.isArray(groupsHdr) ? groupsHdr : [groupsHdr]
  const uid = req.headers["impersonate-uid"]
  if (imp === undefined && (groups.length > 0 || uid !== undefined)) {
    throw new StatusError(500, "InternalError", "Internal error occurred: requested [{Group  " + groups.join(",") + "}] without impersonating a user")
  }
  return {
    user: "admin",
    groups: ["system:masters", "system:authenticated"],
    impersonatedUser: typeof imp === "string" ? imp : undefined,
    impersonatedGroups: groups,
    impersonatedUid: typeof uid === "string" ? uid : undefined,
  }
}

/** Non-resource paths: version, health, discovery roots. Returns false when not one of them. */
export const nonResource = (path: string, res: ServerResponse, ctx: { registry: import("./Registry.ts").Registry; host: string; openapi: OpenApiCache }): boolean => {
  if (path === "/version" || path === "/version/") {
    send(res, 200, Disc.versionInfo)
    return true
  }
  if (path === "/healthz" || path === "/livez" || path === "/readyz") {
    res.writeHead(200, { "Content-Type": "text/plain" })
    res.end("ok")
    return true
  }
  if (path === "/api" || path === "/api/") {
    send(res, 200, Disc.apiVersions(ctx.host))
    return true
  }
  if (path === "/apis" || path === "/apis/") {
    send(res, 200, Disc.apiGroupList(ctx.registry))
    return true
  }
  const parts = path.split("/").filter((p) => p !== "")
  if (parts[0] === "api" && parts.length === 2) {
    const d = Disc.resourceList(ctx.registry, "", parts[1]!)
    if (d === undefined) throw notFoundPath(path)
    send(res, 200, d)
    return true
  }
  if (parts[0] === "apis" && parts.length === 2) {
    const d = Disc.apiGroup(ctx.registry, parts[1]!)
    if (d === undefined) throw notFoundPath(path)
    send(res, 200, d)
    return true
  }
  if (parts[0] === "apis" && parts.length === 3) {
    const d = Disc.resourceList(ctx.registry, parts[1]!, parts[2]!)
    if (d === undefined) throw notFoundPath(path)
    send(res, 200, d)
    return true
  }
  if (path === "/openapi/v2") {
    send(res, 200, ctx.openapi.v2())
    return true
  }
  if (path === "/openapi/v3" || path === "/openapi/v3/") {
    send(res, 200, ctx.openapi.v3Index())
    return true
  }
  if (parts[0] === "openapi" && parts[1] === "v3") {
    const rest = parts.slice(2)
    const doc = rest[0] === "api" && rest.length === 2 ? ctx.openapi.v3("", rest[1]!) : rest[0] === "apis" && rest.length === 3 ? ctx.openapi.v3(rest[1]!, rest[2]!) : undefined
    if (doc === undefined) throw notFoundPath(path)
    send(res, 200, doc)
    return true
  }
  return false
}

const notFoundPath = (path: string): StatusError =>
  new StatusError(404, "NotFound", "the server could not find the requested resource", { causes: [{ reason: "UnexpectedServerResponse", message: `404 page not found: ${path}` }] })

/** OpenAPI documents, rebuilt when the registry changes. */
export class OpenApiCache {
  private readonly registry: import("./Registry.ts").Registry
  private gen = -1
  private v2doc: string | undefined
  private v3docs = new Map<string, string>()

  constructor(registry: import("./Registry.ts").Registry) {
    this.registry = registry
  }

  private fresh(): void {
    if (this.gen === this.registry.generation) return
    this.gen = this.registry.generation
    this.v2doc = undefined
    this.v3docs.clear()
  }

  v2(): string {
    this.fresh()
    this.v2doc ??= JSON.stringify(Disc.openApiV2(this.registry))
    return this.v2doc
  }

  v3(group: string, version: string): string | undefined {
    this.fresh()
    const k = `${group}/${version}`
    let d = this.v3docs.get(k)
    if (d === undefined) {
      const doc = Disc.openApiV3(this.registry, group, version)
      if (doc === undefined) return undefined
      d = JSON.stringify(doc)
      this.v3docs.set(k, d)
    }
    return d
  }

  v3Index(): Obj {
    this.fresh()
    return Disc.openApiV3Index(this.registry, (p) => `${this.gen.toString(16).padStart(8, "0")}${p.length.toString(16)}`)
  }
}

export { notFound }
