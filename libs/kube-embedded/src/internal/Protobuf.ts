// Kubernetes' protobuf encoding, for the few kinds kubectl's typed create commands send
// that way (`kubectl create namespace|configmap|secret|serviceaccount`). Responses are
// always JSON, which those clients accept. Other kinds in protobuf get a 415.
import { StatusError } from "./Errors.ts"
import type { Obj } from "./Store.ts"

type Field = readonly [name: string, type: "s" | "i" | "b" | "bytes" | "map" | "bmap" | Msg, repeated?: boolean]
type Msg = { readonly [n: number]: Field }

const LocalRef: Msg = { 1: ["name", "s"] }
const OwnerRef: Msg = { 1: ["kind", "s"], 3: ["name", "s"], 4: ["uid", "s"], 5: ["apiVersion", "s"], 6: ["controller", "b"], 7: ["blockOwnerDeletion", "b"] }
const ObjRef: Msg = { 1: ["kind", "s"], 2: ["namespace", "s"], 3: ["name", "s"], 4: ["uid", "s"], 5: ["apiVersion", "s"], 6: ["resourceVersion", "s"], 7: ["fieldPath", "s"] }
const Meta: Msg = {
  1: ["name", "s"],
  2: ["generateName", "s"],
  3: ["namespace", "s"],
  5: ["uid", "s"],
  6: ["resourceVersion", "s"],
  7: ["generation", "i"],
  11: ["labels", "map"],
  12: ["annotations", "map"],
  13: ["ownerReferences", OwnerRef, true],
  14: ["finalizers", "s", true],
}
const KINDS: Record<string, Msg> = {
  Namespace: { 1: ["metadata", Meta], 2: ["spec", { 1: ["finalizers", "s", true] }] },
  ConfigMap: { 1: ["metadata", Meta], 2: ["data", "map"], 3: ["binaryData", "bmap"], 4: ["immutable", "b"] },
  Secret: { 1: ["metadata", Meta], 2: ["data", "bmap"], 3: ["type", "s"], 4: ["stringData", "map"], 5: ["immutable", "b"] },
  ServiceAccount: { 1: ["metadata", Meta], 2: ["secrets", ObjRef, true], 3: ["imagePullSecrets", LocalRef, true], 4: ["automountServiceAccountToken", "b"] },
}

class Reader {
  private pos = 0
  private readonly buf: Buffer
  private readonly end: number
  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf
    this.pos = start
    this.end = end
  }
  done(): boolean {
    return this.pos >= this.end
  }
  varint(): number {
    let r = 0
    let mul = 1
    for (;;) {
      if (this.pos >= this.end) throw new Error("truncated varint")
      const b = this.buf[this.pos++]!
      r += (b & 0x7f) * mul
      if ((b & 0x80) === 0) return r
      mul *= 128
    }
  }
  bytes(): Buffer {
    const n = this.varint()
    if (this.pos + n > this.end) throw new Error("truncated field")
    const b = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return b
  }
  skip(wt: number): void {
    if (wt === 0) this.varint()
    else if (wt === 1) this.pos += 8
    else if (wt === 2) this.bytes()
    else if (wt === 5) this.pos += 4
    else throw new Error(`unsupported wire type ${wt}`)
  }
}

const mapEntry = (b: Buffer, binary: boolean): [string, string] => {
  const r = new Reader(b)
  let k = ""
  let v = ""
  while (!r.done()) {
    const tag = r.varint()
    const f = Math.floor(tag / 8)
    if (f === 1) k = r.bytes().toString("utf8")
    else if (f === 2) v = binary ? r.bytes().toString("base64") : r.bytes().toString("utf8")
    else r.skip(tag & 7)
  }
  return [k, v]
}

const decode = (buf: Buffer, msg: Msg): Obj => {
  const r = new Reader(buf)
  const out: Obj = {}
  while (!r.done()) {
    const tag = r.varint()
    const num = Math.floor(tag / 8)
    const wt = tag & 7
    const f = msg[num]
    if (f === undefined) {
      r.skip(wt)
      continue
    }
    const [name, type, repeated] = f
    let v: unknown
    if (type === "i") v = r.varint()
    else if (type === "b") v = r.varint() !== 0
    else if (type === "s") v = r.bytes().toString("utf8")
    else if (type === "bytes") v = r.bytes().toString("base64")
    else if (type === "map" || type === "bmap") {
      const [k, val] = mapEntry(r.bytes(), type === "bmap")
      out[name] = { ...(out[name] ?? {}), [k]: val }
      continue
    } else v = decode(r.bytes(), type)
    if (repeated === true) out[name] = [...(out[name] ?? []), v]
    else out[name] = v
  }
  return out
}

/** Decode a `k8s\0`-prefixed protobuf body into the JSON form of the object. */
export const decodeProtobuf = (body: Buffer): Obj => {
  if (body.length < 4 || body.subarray(0, 4).toString("latin1") !== "k8s\0") {
    throw new StatusError(400, "BadRequest", "provided Protobuf is missing the k8s\\x00 prefix")
  }
  const env = decode(body.subarray(4), { 1: ["typeMeta", { 1: ["apiVersion", "s"], 2: ["kind", "s"] }], 2: ["raw", "bytes"] })
  const kind: string = env.typeMeta?.kind ?? ""
  const msg = KINDS[kind]
  if (msg === undefined) {
    throw new StatusError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (protobuf is understood only for ${Object.keys(KINDS).join(", ")})`)
  }
  const obj = decode(Buffer.from(env.raw ?? "", "base64"), msg)
  return { apiVersion: env.typeMeta?.apiVersion, kind, ...obj }
}
