// The server: wires registry, store, controllers, persistence and the HTTP handler,
// listens on 127.0.0.1, writes a kubeconfig with a bearer token.
import { randomBytes } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http"
import { createServer as createHttpsServer } from "node:https"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { Api } from "./Api.ts"
import { builtinTypes } from "./Builtins.ts"
import { Controllers } from "./Controllers.ts"
import { crdErrors } from "./Crd.ts"
import { StatusError } from "./Errors.ts"
import { handleResource } from "./Handlers.ts"
import { type AuditEvent, authenticate, nonResource, OpenApiCache, parseTarget, type Req, readBody, decodeBody, sendError, verbOf } from "./Http.ts"
import { Persistence } from "./Persist.ts"
import { decodeProtobuf } from "./Protobuf.ts"
import { Registry } from "./Registry.ts"
import { Store } from "./Store.ts"
import { selfSigned, validKey } from "./Tls.ts"
import { Workloads } from "./Workloads.ts"

/** How to run the server. */
export interface ServerOptions {
  /** TCP port on 127.0.0.1; 0 or absent picks a free one. */
  readonly port?: number
  /** Keep objects in this directory so they survive a restart. */
  readonly dataDir?: string
  /** Where to write the kubeconfig (default: <dataDir>/kubeconfig or a temp dir). */
  readonly kubeconfigPath?: string
  /** Bearer token clients must present (default: random, kept in dataDir). */
  readonly token?: string
  /** Report workload status as if pods ran; `delayMs` defaults to 300. */
  readonly simulateWorkloads?: boolean | { readonly delayMs?: number }
  /** Events kept per resource for watches; older resourceVersions get 410 Gone. */
  readonly watchWindow?: number
  /** Interval of watch bookmarks (real servers: about a minute). */
  readonly bookmarkIntervalMs?: number
  /**
   * Serve HTTPS with a self-signed certificate (default true). kubectl sends bearer tokens
   * only over TLS; plain HTTP suits clients that send them anyway (@kubernetes/client-node).
   */
  readonly tls?: boolean
}

/** A running server. */
export interface EmbeddedServer {
  readonly url: string
  readonly port: number
  readonly kubeconfigPath: string
  readonly token: string
  /** The server's certificate (PEM), its own CA; undefined over plain HTTP. */
  readonly caCert: string | undefined
  /** Requests seen so far (most recent 10,000), with impersonated identities. */
  audit(): ReadonlyArray<AuditEvent>
  /** Stop serving, end watches, close the data files. */
  close(): Promise<void>
}

const DEFAULT_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"]

/** Start an embedded API server; resolves once it accepts connections. */
export const startServer = async (options: ServerOptions = {}): Promise<EmbeddedServer> => {
  const registry = new Registry()
  for (const rt of builtinTypes()) {
    registry.add(rt.kind === "CustomResourceDefinition" ? { ...rt, validator: (o) => crdErrors(o) } : rt)
  }
  const store = new Store(options.watchWindow ?? 10_000)
  const api = new Api(registry, store)
  let persistence: Persistence | undefined
  if (options.dataDir !== undefined) persistence = Persistence.open(options.dataDir, store)
  const useTls = options.tls ?? true
  let tlsPair: { cert: string; key: string } | undefined
  if (useTls) {
    const certFile = options.dataDir === undefined ? undefined : join(options.dataDir, "tls.crt")
    const keyFile = options.dataDir === undefined ? undefined : join(options.dataDir, "tls.key")
    if (certFile !== undefined && keyFile !== undefined && existsSync(certFile) && existsSync(keyFile) && validKey(readFileSync(keyFile, "utf8"))) {
      tlsPair = { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") }
    } else {
      tlsPair = selfSigned()
      if (certFile !== undefined && keyFile !== undefined) {
        writeFileSync(certFile, tlsPair.cert)
        writeFileSync(keyFile, tlsPair.key, { mode: 0o600 })
      }
    }
  }
  const controllers = new Controllers(api)
  controllers.rootCa = tlsPair?.cert ?? ""
  const sim = options.simulateWorkloads
  const workloads = sim === undefined || sim === false ? undefined : new Workloads(api, { delayMs: typeof sim === "object" ? (sim.delayMs ?? 300) : 300 })
  controllers.resync()
  workloads?.resync()
  const nsType = registry.byGroupKind("", "Namespace")!
  for (const ns of DEFAULT_NAMESPACES) {
    if (api.lookup(nsType, undefined, ns) === undefined) {
      api.create(nsType, "v1", undefined, { metadata: { name: ns } }, { dryRun: false, fieldManager: undefined, fieldValidation: "Ignore", subresource: undefined, warnings: [] }, "kube-apiserver")
    }
  }

  let token = options.token
  if (token === undefined && options.dataDir !== undefined) {
    const f = join(options.dataDir, "token")
    if (existsSync(f)) token = readFileSync(f, "utf8").trim()
    else {
      token = randomBytes(24).toString("hex")
      writeFileSync(f, `${token}\n`, { mode: 0o600 })
    }
  }
  token ??= randomBytes(24).toString("hex")

  const auditLog: AuditEvent[] = []
  const openapi = new OpenApiCache(registry)
  let host = "127.0.0.1:0"
  const handlerOpts = { bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000, defaultWatchTimeoutMs: 30 * 60_000 }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost")
    const path = url.pathname
    const query = url.searchParams
    const target = parseTarget(path)
    let code = 200
    let who: ReturnType<typeof authenticate> | undefined
    try {
      who = authenticate(req, token)
      if (!nonResource(path, res, { registry, host, openapi })) {
        if (target === undefined) throw new StatusError(404, "NotFound", "the server could not find the requested resource", {})
        const rt = registry.lookup(target.group, target.version, target.plural)
        if (rt === undefined) throw new StatusError(404, "NotFound", "the server could not find the requested resource", {})
        let rawBody: Promise<Buffer> | undefined
        const rawBytes = () => (rawBody ??= readBody(req))
        const raw = async () => (await rawBytes()).toString("utf8")
        const ct = (req.headers["content-type"] ?? "application/json").split(";")[0]!.trim()
        const r: Req = {
          method: req.method ?? "GET",
          target,
          query,
          headers: req.headers,
          contentType: ct,
          raw,
          rawBytes,
          body: async () => (ct === "application/vnd.kubernetes.protobuf" ? decodeProtobuf(await rawBytes()) : decodeBody(await raw(), ct)),
          userAgent: req.headers["user-agent"] ?? "",
          res,
        }
        code = await handleResource(api, rt, r, handlerOpts)
      }
    } catch (e) {
      code = sendError(res, e)
    }
    auditLog.push({
      time: new Date().toISOString(),
      verb: verbOf(req.method ?? "GET", target, query),
      method: req.method ?? "GET",
      path: req.url ?? "/",
      user: who?.user ?? "system:anonymous",
      impersonatedUser: who?.impersonatedUser,
      impersonatedGroups: who?.impersonatedGroups ?? [],
      impersonatedUid: who?.impersonatedUid,
      userAgent: req.headers["user-agent"] ?? "",
      code,
    })
    if (auditLog.length > 10_000) auditLog.splice(0, auditLog.length - 10_000)
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res)
  }
  const server =
    tlsPair === undefined
      ? createHttpServer({ keepAlive: true, keepAliveTimeout: 60_000 }, onRequest)
      : createHttpsServer({ keepAlive: true, keepAliveTimeout: 60_000, cert: tlsPair.cert, key: tlsPair.key }, onRequest)
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  }).catch((e: NodeJS.ErrnoException) => {
    controllers.close()
    workloads?.close()
    persistence?.close()
    if (e.code === "EADDRINUSE") throw new Error(`port ${options.port} is already in use on 127.0.0.1`)
    throw e
  })
  const port = (server.address() as AddressInfo).port
  host = `127.0.0.1:${port}`
  const url = `${tlsPair === undefined ? "http" : "https"}://${host}`
  const kubeconfigPath =
    options.kubeconfigPath ?? (options.dataDir !== undefined ? join(options.dataDir, "kubeconfig") : join(mkdtempSync(join(tmpdir(), "kube-embedded-")), "kubeconfig"))
  mkdirSync(dirname(kubeconfigPath), { recursive: true })
  writeFileSync(kubeconfigPath, kubeconfig(url, token, tlsPair?.cert), { mode: 0o600 })
  return {
    url,
    port,
    kubeconfigPath,
    token,
    caCert: tlsPair?.cert,
    audit: () => [...auditLog],
    close: async () => {
      controllers.close()
      workloads?.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      persistence?.close()
    },
  }
}

/** A kubeconfig for the server (token auth; the CA when served over TLS). */
export const kubeconfig = (url: string, token: string, caCert?: string): string =>
  [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: moor",
    "  cluster:",
    `    server: ${url}`,
    ...(caCert === undefined ? [] : [`    certificate-authority-data: ${Buffer.from(caCert).toString("base64")}`]),
    "contexts:",
    "- name: moor",
    "  context:",
    "    cluster: moor",
    "    user: moor",
    "    namespace: default",
    "current-context: moor",
    "users:",
    "- name: moor",
    "  user:",
    `    token: ${token}`,
    "",
  ].join("\n")
