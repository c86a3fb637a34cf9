// The fetch half of Git's pack protocol (v0/v1, as smart HTTP carries it):
// send wants, our shallow boundary and haves, read the shallow update and the
// side-band pack. Runs over any HttpPlugin (HTTP, git daemon, ssh).
import { gitError } from "../Errors.ts"
import { flush, pkt, PktReader } from "./PktLine.ts"
import type { HttpPlugin } from "./Transport.ts"

export interface PackRequest {
  readonly wants: readonly string[]
  readonly haves: readonly string[]
  /** Commits we hold without their parents. */
  readonly shallows: readonly string[]
  /** History depth; undefined for full history. */
  readonly depth?: number
  /** The server's advertised capabilities. */
  readonly capabilities: ReadonlySet<string>
}

export interface PackResponse {
  /** The pack bytes; empty when the server had nothing to send. */
  readonly pack: Buffer
  readonly shallow: readonly string[]
  readonly unshallow: readonly string[]
}

/** Builds the upload-pack request body. */
export const packRequest = (r: PackRequest): Buffer => {
  const caps = ["side-band-64k", "ofs-delta", "no-progress"].filter((c) => r.capabilities.has(c))
  if (!caps.includes("side-band-64k") && r.capabilities.has("side-band")) caps.push("side-band")
  caps.push("agent=moor")
  const parts: Buffer[] = []
  r.wants.forEach((w, i) => parts.push(pkt(i === 0 ? `want ${w} ${caps.join(" ")}\n` : `want ${w}\n`)))
  if (r.depth !== undefined) {
    for (const s of r.shallows) parts.push(pkt(`shallow ${s}\n`))
    parts.push(pkt(`deepen ${r.depth}\n`))
  }
  parts.push(flush())
  for (const h of r.haves) parts.push(pkt(`have ${h}\n`))
  parts.push(pkt("done\n"))
  return Buffer.concat(parts)
}

/** POSTs an upload-pack request and reads the response. */
export const fetchPack = async (http: HttpPlugin, url: string, display: string, r: PackRequest): Promise<PackResponse> => {
  if (r.depth !== undefined && !r.capabilities.has("shallow"))
    throw gitError("GitOperationFailed", `${display}: the server does not support shallow fetches`)
  const body = packRequest(r)
  const res = await http.request({
    url: `${url}/git-upload-pack`,
    method: "POST",
    headers: { "content-type": "application/x-git-upload-pack-request", accept: "application/x-git-upload-pack-result" },
    body: [body],
  })
  if (res.statusCode === 401 || res.statusCode === 403)
    throw gitError("AuthenticationFailed", `${display}: the server refused the credentials (HTTP ${res.statusCode})`)
  if (res.statusCode !== 200) throw gitError("GitOperationFailed", `${display}: HTTP ${res.statusCode} ${res.statusMessage} from git-upload-pack`)
  const reader = new PktReader(res.body)
  const shallow: string[] = []
  const unshallow: string[] = []
  const fail = (m: string) => gitError("GitOperationFailed", `${display}: ${m}`)
  let line: Buffer | null | undefined
  if (r.depth !== undefined) {
    for (;;) {
      line = await reader.next()
      if (line === undefined) throw fail("the server closed the connection before the shallow update")
      if (line === null) break
      const text = line.toString("utf8").trim()
      if (text.startsWith("shallow ")) shallow.push(text.slice(8))
      else if (text.startsWith("unshallow ")) unshallow.push(text.slice(10))
      else if (text.startsWith("ERR ")) throw fail(text.slice(4))
      else throw fail(`unexpected line in the shallow update: ${JSON.stringify(text.slice(0, 80))}`)
    }
  }
  const chunks: Buffer[] = []
  for (;;) {
    line = await reader.next()
    if (line === undefined || line === null) break
    const band = line[0]
    if (band === 1) chunks.push(line.subarray(1))
    else if (band === 2) continue
    else if (band === 3) throw fail(line.subarray(1).toString("utf8").trim())
    else {
      const text = line.toString("utf8").trim()
      if (text.startsWith("ERR ")) throw fail(text.slice(4))
      if (text.startsWith("ACK") || text === "NAK") continue
      throw fail(`unexpected line in the pack response: ${JSON.stringify(text.slice(0, 80))}`)
    }
  }
  // read to the end so the transport's stream is released
  for await (const _ of reader.rest());
  return { pack: Buffer.concat(chunks), shallow, unshallow }
}
