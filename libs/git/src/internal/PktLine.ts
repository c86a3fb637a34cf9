// Git's pkt-line framing: four hex digits of length (including themselves),
// then the payload; "0000" is a flush packet.

const hex4 = (n: number) => n.toString(16).padStart(4, "0")

/** One pkt-line holding `payload` (a string is UTF-8 encoded). */
export const pkt = (payload: string | Uint8Array): Buffer => {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload)
  if (body.length > 65516) throw new Error(`pkt-line payload too long (${body.length} bytes)`)
  return Buffer.concat([Buffer.from(hex4(body.length + 4), "ascii"), body])
}

/** The flush packet. */
export const flush = (): Buffer => Buffer.from("0000", "ascii")

/**
 * Reads pkt-lines from a byte stream. `next()` returns a payload, `null` for a
 * flush packet, or `undefined` at the end of the stream; `rest()` yields the
 * bytes after what was read (for streaming the pack through).
 */
export class PktReader {
  readonly #it: AsyncIterator<Uint8Array>
  #buf: Buffer = Buffer.alloc(0)
  #done = false
  /** Every byte consumed by next(), in order (for replaying an advertisement). */
  readonly raw: Buffer[] = []

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#it = source[Symbol.asyncIterator]()
  }

  async #fill(n: number): Promise<boolean> {
    while (this.#buf.length < n && !this.#done) {
      const r = await this.#it.next()
      if (r.done) this.#done = true
      else this.#buf = this.#buf.length ? Buffer.concat([this.#buf, r.value]) : Buffer.from(r.value)
    }
    return this.#buf.length >= n
  }

  async next(): Promise<Buffer | null | undefined> {
    if (!(await this.#fill(4))) {
      if (this.#buf.length) throw new Error("truncated pkt-line header")
      return undefined
    }
    const head = this.#buf.subarray(0, 4).toString("ascii")
    const len = Number.parseInt(head, 16)
    if (!/^[0-9a-f]{4}$/i.test(head) || Number.isNaN(len)) throw new Error(`bad pkt-line header ${JSON.stringify(head)}`)
    if (len === 0 || len === 1 || len === 2) {
      // flush (0000), delim (0001), response-end (0002)
      this.raw.push(this.#buf.subarray(0, 4))
      this.#buf = this.#buf.subarray(4)
      return null
    }
    if (len < 4) throw new Error(`bad pkt-line length ${len}`)
    if (!(await this.#fill(len))) throw new Error("truncated pkt-line")
    const whole = this.#buf.subarray(0, len)
    this.raw.push(whole)
    this.#buf = this.#buf.subarray(len)
    return whole.subarray(4)
  }

  /** Everything not yet read, as a stream. */
  async *rest(): AsyncGenerator<Uint8Array> {
    if (this.#buf.length) yield this.#buf
    this.#buf = Buffer.alloc(0)
    if (this.#done) return
    for (;;) {
      const r = await this.#it.next()
      if (r.done) return
      yield r.value
    }
  }
}

/** A ref as the server advertises it. */
export interface AdvertisedRefs {
  /** Full ref name -> object id; annotated tags also appear as `<tag>^{}` -> commit. */
  readonly refs: Map<string, string>
  /** Symbolic refs from the `symref=` capability (HEAD -> refs/heads/main). */
  readonly symrefs: Map<string, string>
  readonly capabilities: Set<string>
}

/**
 * Parses a v0/v1 ref advertisement (after any `# service=` preamble). The
 * server's "ERR msg" line becomes a thrown Error with its message.
 */
export const parseAdvertisement = async (reader: PktReader): Promise<AdvertisedRefs> => {
  const refs = new Map<string, string>()
  const symrefs = new Map<string, string>()
  const capabilities = new Set<string>()
  let first = true
  for (;;) {
    const line = await reader.next()
    if (line === undefined || line === null) break
    const text = line.toString("utf8").replace(/\n$/, "")
    if (text.startsWith("ERR ")) throw new RemoteError(text.slice(4))
    if (text.startsWith("# service=")) {
      // smart HTTP preamble: followed by a flush, then the advertisement proper
      const sep = await reader.next()
      if (sep !== null && sep !== undefined) throw new Error("expected a flush after the service line")
      continue
    }
    if (text.startsWith("version ")) continue
    let refPart = text
    if (first) {
      const nul = text.indexOf("\0")
      if (nul >= 0) {
        refPart = text.slice(0, nul)
        for (const cap of text.slice(nul + 1).split(" ")) {
          if (!cap) continue
          capabilities.add(cap)
          if (cap.startsWith("symref=")) {
            const [from, to] = cap.slice(7).split(":")
            if (from && to) symrefs.set(from, to)
          }
        }
      }
      first = false
    }
    const sp = refPart.indexOf(" ")
    if (sp !== 40) throw new Error(`bad ref advertisement line ${JSON.stringify(refPart.slice(0, 80))}`)
    const oid = refPart.slice(0, 40)
    const name = refPart.slice(41)
    // an empty repository advertises "capabilities^{}" with the zero id
    if (name === "capabilities^{}") continue
    refs.set(name, oid)
  }
  return { refs, symrefs, capabilities }
}

/** An error line ("ERR ...") sent by the remote side. */
export class RemoteError extends Error {
  override readonly name = "RemoteError"
}
