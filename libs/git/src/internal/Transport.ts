// isomorphic-git talks smart HTTP only, through an `http` plugin. This file
// defines that plugin's shape, a plain HTTP(S) plugin, and the translation
// that answers smart-HTTP requests over a raw upload-pack stream (git daemon
// socket, ssh exec channel): a fresh stream per request, v0 protocol.
import * as http from "node:http"
import * as https from "node:https"
import { rootCertificates } from "node:tls"
import type { GitAuth } from "../Auth.ts"
import { gitError, type GitError } from "../Errors.ts"
import { flush, pkt, PktReader, RemoteError } from "./PktLine.ts"

export interface HttpRequest {
  readonly url: string
  readonly method?: string
  readonly headers?: Record<string, string>
  readonly body?: AsyncIterable<Uint8Array> | Iterable<Uint8Array>
}
export interface HttpResponse {
  url: string
  method: string
  statusCode: number
  statusMessage: string
  headers: Record<string, string>
  body: AsyncIterable<Uint8Array>
}
/** isomorphic-git's http plugin. */
export interface HttpPlugin {
  request(req: HttpRequest): Promise<HttpResponse>
}

/** A bidirectional byte stream to a remote `git-upload-pack`. */
export interface Conn {
  readonly readable: AsyncIterable<Uint8Array>
  write(b: Uint8Array): void
  end(): void
  close(): void
  /** What the remote printed on stderr (ssh), for error messages. */
  stderr(): string
}

const collect = async (body: HttpRequest["body"]): Promise<Buffer> => {
  const parts: Uint8Array[] = []
  if (body) for await (const c of body as AsyncIterable<Uint8Array>) parts.push(c)
  return Buffer.concat(parts)
}

const ok = (req: HttpRequest, body: AsyncIterable<Uint8Array>, type: string): HttpResponse => ({
  url: req.url,
  method: req.method ?? "GET",
  statusCode: 200,
  statusMessage: "OK",
  headers: { "content-type": type },
  body,
})

/** Fails with a message naming the remote's complaint (ERR line or stderr). */
const remoteFailure = (e: unknown, conn: Conn | undefined, display: string) => {
  const stderr = conn?.stderr().trim()
  const msg = e instanceof RemoteError ? e.message : stderr || (e as Error).message
  return gitError("GitOperationFailed", `${display}: ${msg}`)
}

/**
 * An http plugin answering isomorphic-git's `GET <x>/info/refs?service=git-upload-pack`
 * and `POST <x>/git-upload-pack` by speaking the v0 protocol over a fresh stream
 * from `open()` each time.
 */
export const streamPlugin = (open: () => Promise<Conn>, display: string): HttpPlugin => ({
  async request(req) {
    const method = req.method ?? "GET"
    if (method === "GET" && /\/info\/refs\?service=git-upload-pack$/.test(req.url)) {
      const conn = await open()
      try {
        const reader = new PktReader(conn.readable)
        for (;;) {
          const line = await reader.next()
          if (line === undefined) throw new Error("the remote closed the connection during the ref advertisement")
          if (line === null) break
          if (line.subarray(0, 4).toString() === "ERR ") throw new RemoteError(line.subarray(4).toString("utf8").trim())
        }
        // an empty want list: upload-pack exits cleanly
        conn.write(flush())
        conn.end()
        const body = Buffer.concat([pkt("# service=git-upload-pack\n"), flush(), ...reader.raw])
        return ok(req, [body] as unknown as AsyncIterable<Uint8Array>, "application/x-git-upload-pack-advertisement")
      } catch (e) {
        throw remoteFailure(e, conn, display)
      } finally {
        conn.close()
      }
    }
    if (method === "POST" && /\/git-upload-pack$/.test(req.url)) {
      const payload = await collect(req.body)
      const conn = await open()
      const reader = new PktReader(conn.readable)
      try {
        for (;;) {
          const line = await reader.next()
          if (line === undefined) throw new Error("the remote closed the connection during the ref advertisement")
          if (line === null) break
          if (line.subarray(0, 4).toString() === "ERR ") throw new RemoteError(line.subarray(4).toString("utf8").trim())
        }
        conn.write(payload)
      } catch (e) {
        conn.close()
        throw remoteFailure(e, conn, display)
      }
      async function* body() {
        try {
          yield* reader.rest()
        } finally {
          conn.close()
        }
      }
      return ok(req, body(), "application/x-git-upload-pack-result")
    }
    throw gitError("GitOperationFailed", `${display}: unsupported request ${method} ${req.url}`)
  },
})

/** Options for the HTTP(S) plugin. */
export interface HttpOptions {
  readonly auth: GitAuth
  readonly timeoutMs: number
}

/** Smart HTTP(S) through Node's http/https, adding auth headers and the CA; `close()` drops kept-alive sockets. */
export const httpPlugin = (options: HttpOptions): HttpPlugin & { close(): void } => {
  const { auth } = options
  const authorization =
    auth.bearerToken !== undefined
      ? `Bearer ${auth.bearerToken}`
      : auth.username !== undefined || auth.password !== undefined
        ? `Basic ${Buffer.from(`${auth.username ?? ""}:${auth.password ?? ""}`).toString("base64")}`
        : undefined
  const agentOptions: https.AgentOptions = { keepAlive: true }
  if (auth.caPem) agentOptions.ca = [...rootCertificates, auth.caPem]
  if (auth.insecureSkipTlsVerify === true) agentOptions.rejectUnauthorized = false
  const httpsAgent = new https.Agent(agentOptions)
  const httpAgent = new http.Agent({ keepAlive: true })
  return {
    close() {
      httpsAgent.destroy()
      httpAgent.destroy()
    },
    async request(req) {
      const body = req.body ? await collect(req.body) : undefined
      const u = new URL(req.url)
      const headers: Record<string, string> = { "user-agent": "git/moor", ...(req.headers ?? {}) }
      if (authorization) headers["authorization"] = authorization
      if (body) headers["content-length"] = String(body.length)
      const mod = u.protocol === "https:" ? https : http
      return await new Promise<HttpResponse>((resolve, reject) => {
        const r = mod.request(
          u,
          { method: req.method ?? "GET", headers, agent: u.protocol === "https:" ? httpsAgent : httpAgent, timeout: options.timeoutMs },
          (res) => {
            const h: Record<string, string> = {}
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(", ") : v
            resolve({
              url: req.url,
              method: req.method ?? "GET",
              statusCode: res.statusCode ?? 0,
              statusMessage: res.statusMessage ?? "",
              headers: h,
              body: res,
            })
          },
        )
        r.on("timeout", () => r.destroy(new Error(`no response within ${options.timeoutMs} ms`)))
        r.on("error", reject)
        r.end(body)
      })
    },
  }
}

/**
 * Wraps a plugin so that a response body over `maxBytes` fails with
 * RepositoryTooLarge; the error is also handed to `record`, since
 * isomorphic-git may wrap errors thrown from inside a body.
 */
export const limitPlugin = (inner: HttpPlugin, maxBytes: number, display: string, record: (e: GitError) => void): HttpPlugin => ({
  async request(req) {
    const res = await inner.request(req)
    const source = res.body
    async function* limited() {
      let n = 0
      for await (const chunk of source) {
        n += chunk.length
        if (n > maxBytes) {
          const e = gitError("RepositoryTooLarge", `${display}: the fetched data exceeds the limit of ${maxBytes} bytes`)
          record(e)
          throw e
        }
        yield chunk
      }
    }
    return { ...res, body: limited() }
  },
})
