// A self-signed certificate for 127.0.0.1, made with Node's crypto alone (a small DER
// encoder), because kubectl only sends bearer tokens over TLS. The certificate is its
// own CA; the kubeconfig carries it as certificate-authority-data.
import { createPrivateKey, generateKeyPairSync, randomBytes, sign } from "node:crypto"

const len = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let x = n; x > 0; x >>= 8) bytes.unshift(x & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}
const tlv = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), len(body.length), body])
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items))
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items))
/** A non-negative DER INTEGER from big-endian bytes: minimal (OpenSSL refuses a
 * leading zero byte before one whose high bit is clear as "illegal padding", which a
 * random serial number starting with 0x00 hit once in 512 certificates). */
export const derInt = (b: Buffer): Buffer => {
  let i = 0
  while (i < b.length - 1 && b[i] === 0 && !(b[i + 1]! & 0x80)) i++
  const m = b.subarray(i)
  return tlv(0x02, m[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), m]) : m)
}
const int = derInt
const oid = (s: string): Buffer => {
  const p = s.split(".").map(Number)
  const out = [40 * p[0]! + p[1]!]
  for (const n of p.slice(2)) {
    const enc: number[] = [n & 0x7f]
    for (let x = n >> 7; x > 0; x >>= 7) enc.unshift((x & 0x7f) | 0x80)
    out.push(...enc)
  }
  return tlv(0x06, Buffer.from(out))
}
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, "utf8"))
const time = (d: Date): Buffer => {
  const z = d.toISOString().replace(/[-:T]/g, "").slice(0, 14)
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${z.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${z}Z`))
}
const octets = (b: Buffer): Buffer => tlv(0x04, b)
const bits = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]))
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]))
const explicit = (n: number, b: Buffer): Buffer => tlv(0xa0 + n, b)
const ext = (id: string, critical: boolean, value: Buffer): Buffer => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value))

const pem = (label: string, der: Buffer): string =>
  `-----BEGIN ${label}-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END ${label}-----\n`

/** A certificate and key (PEM) valid for 127.0.0.1 and localhost for ten years. */
export const selfSigned = (): { cert: string; key: string } => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
  const spki = publicKey.export({ type: "spki", format: "der" })
  const name = seq(set(seq(oid("2.5.4.3"), utf8("moor-kube-embedded"))))
  const ecdsaSha256 = seq(oid("1.2.840.10045.4.3.2"))
  const now = Date.now()
  const san = seq(tlv(0x87, Buffer.from([127, 0, 0, 1])), tlv(0x82, Buffer.from("localhost")))
  const tbs = seq(
    explicit(0, int(Buffer.from([2]))),
    int(randomBytes(16)),
    ecdsaSha256,
    name,
    seq(time(new Date(now - 60_000)), time(new Date(now + 10 * 365 * 86_400_000))),
    name,
    spki,
    explicit(
      3,
      seq(
        ext("2.5.29.19", true, seq(bool(true))),
        ext("2.5.29.15", true, bits(Buffer.from([0x84]), 2)),
        ext("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"))),
        ext("2.5.29.17", false, san),
      ),
    ),
  )
  const sig = sign("sha256", tbs, privateKey)
  const cert = seq(tbs, ecdsaSha256, bits(sig))
  return { cert: pem("CERTIFICATE", cert), key: privateKey.export({ type: "pkcs8", format: "pem" }).toString() }
}

/** Check that a key parses (used when loading a persisted certificate). */
export const validKey = (key: string): boolean => {
  try {
    createPrivateKey(key)
    return true
  } catch {
    return false
  }
}
