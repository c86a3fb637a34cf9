// sprig's crypto: derivePassword (Master Password's scrypt scheme),
// bcrypt/htpasswd, AES-CBC, private keys and X.509 certificates (genCA,
// genSelfSignedCert, genSignedCert...) built with node:crypto and a small
// DER writer. Random outputs can only be checked by shape and validity.
import {
  createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync,
  randomBytes, scryptSync, sign, X509Certificate, type KeyObject,
} from "node:crypto"
import { isIP } from "node:net"
import { def, GoError, P_INT, P_LIST, P_STRING, P_UINT32, type FuncMap, type ParamType } from "../funcs.ts"
import { decodeUtf8, GoObject, GoNum, type ObjType } from "../values.ts"
import { bcrypt } from "./bcrypt.ts"
import { sprintValue } from "../fmt.ts"

const TEMPLATES: Record<string, string[]> = {
  maximum: ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
  long: ["CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv", "CvccCvcvCvcvno",
    "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc", "CvcvCvcvnoCvcc", "CvcvCvcvCvccno",
    "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno", "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno",
    "CvccnoCvcvCvcc", "CvccCvcvnoCvcc", "CvccCvcvCvccno"],
  medium: ["CvcnoCvc", "CvcCvcno"],
  short: ["Cvcn"],
  basic: ["aaanaaan", "aannaaan", "aaannaaa"],
  pin: ["nnnn"],
}
const CHARS: Record<string, string> = {
  V: "AEIOU", C: "BCDFGHJKLMNPQRSTVWXYZ", v: "aeiou", c: "bcdfghjklmnpqrstvwxyz",
  A: "AEIOUBCDFGHJKLMNPQRSTVWXYZ", a: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
  n: "0123456789", o: "@&%?,=[]_:-+*$#!'^~;()/.", x: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
}
const SEED = "com.lyndir.masterpassword"

const u32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}

/** Master Password's derivation, as sprig's derivePassword does it. */
function derivePassword(counter: GoNum, type: string, password: string, user: string, site: string): string {
  const templates = TEMPLATES[type]
  if (!Object.hasOwn(TEMPLATES, type) || templates === undefined) return `cannot find password template ${type}`
  const userB = Buffer.from(user, "utf8")
  const salt = Buffer.concat([Buffer.from(SEED), u32(userB.length), userB])
  const key = scryptSync(Buffer.from(password, "utf8"), salt, 64, { N: 32768, r: 8, p: 2, maxmem: 256 * 1024 * 1024 })
  const siteB = Buffer.from(site, "utf8")
  const seed = createHmac("sha256", key).update(Buffer.concat([Buffer.from(SEED), u32(siteB.length), siteB, u32(Number(counter.v))])).digest()
  const tmpl = templates[seed[0]! % templates.length]!
  let out = ""
  for (let i = 0; i < tmpl.length; i++) {
    const chars = CHARS[tmpl[i]!]!
    out += chars[seed[i + 1]! % chars.length]
  }
  return out
}

/** base64.StdEncoding.DecodeString: undefined where Go reports an error. */
function strictBase64(s: string): Buffer | undefined {
  const t = s.replace(/[\r\n]/g, "")
  if (t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(t)) return undefined
  return Buffer.from(t, "base64")
}

function aesKey(password: string): Buffer {
  const k = Buffer.alloc(32)
  Buffer.from(password, "utf8").copy(k, 0, 0, 32)
  return k
}

function encryptAES(password: string, plaintext: string): string {
  if (plaintext === "") return ""
  const iv = randomBytes(16)
  const c = createCipheriv("aes-256-cbc", aesKey(password), iv)
  return Buffer.concat([iv, c.update(Buffer.from(plaintext, "utf8")), c.final()]).toString("base64")
}

function decryptAES(password: string, crypt64: string): string {
  if (crypt64 === "") return ""
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(crypt64.replace(/[\r\n]/g, "")) || crypt64.replace(/[\r\n]/g, "").length % 4 !== 0) {
    const m = /[^A-Za-z0-9+/=\r\n]/.exec(crypt64)
    throw new GoError(`illegal base64 data at input byte ${m ? m.index : crypt64.length}`)
  }
  const crypt = Buffer.from(crypt64, "base64")
  if (crypt.length < 16) throw new GoError(`runtime error: slice bounds out of range [:16] with capacity ${crypt.length}`)
  const body = crypt.subarray(16)
  if (body.length % 16 !== 0) throw new GoError("crypto/cipher: input not full blocks")
  const d = createDecipheriv("aes-256-cbc", aesKey(password), crypt.subarray(0, 16))
  d.setAutoPadding(false)
  const dec = Buffer.concat([d.update(body), d.final()])
  if (dec.length === 0) throw new GoError("runtime error: index out of range [-1]")
  const pad = dec[dec.length - 1]!
  if (pad > dec.length) throw new GoError(`runtime error: slice bounds out of range [:${dec.length - pad}]`)
  return decodeUtf8(dec.subarray(0, dec.length - pad))
}

// ---- keys ----

const pem = (type: string, der: Buffer) =>
  `-----BEGIN ${type}-----\n${der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n?$/, "\n")}-----END ${type}-----\n`

/** A private key as sprig's pemBlockForKey writes it. */
function keyPem(k: KeyObject): string {
  switch (k.asymmetricKeyType) {
    case "rsa": return pem("RSA PRIVATE KEY", k.export({ format: "der", type: "pkcs1" }) as Buffer)
    case "ec": return pem("EC PRIVATE KEY", k.export({ format: "der", type: "sec1" }) as Buffer)
    case "dsa": return pem("DSA PRIVATE KEY", dsaDer(k))
    default: return pem("PRIVATE KEY", k.export({ format: "der", type: "pkcs8" }) as Buffer)
  }
}

function genKey(type: string): KeyObject {
  switch (type) {
    case "": case "rsa": return generateKeyPairSync("rsa", { modulusLength: 4096 }).privateKey
    case "dsa": return generateKeyPairSync("dsa", { modulusLength: 2048, divisorLength: 256 }).privateKey
    case "ecdsa": return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey
    case "ed25519": return generateKeyPairSync("ed25519").privateKey
  }
  throw new GoError("unknown key type")
}

function generatePrivateKey(type: string): string {
  if (!["", "rsa", "dsa", "ecdsa", "ed25519"].includes(type)) return "Unknown type " + type
  return keyPem(genKey(type))
}

/** parsePrivateKeyPEM */
function parseKey(text: string): KeyObject {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text)
  if (!m) throw new GoError("no PEM data in input")
  const type = m[1]!
  const der = Buffer.from(m[2]!.replace(/\s+/g, ""), "base64")
  try {
    if (type === "PRIVATE KEY") return createPrivateKey({ key: der, format: "der", type: "pkcs8" })
    if (!type.endsWith(" PRIVATE KEY")) throw new GoError(`no private key data in PEM block of type ${type}`)
    switch (type.slice(0, -12)) {
      case "RSA": return createPrivateKey({ key: der, format: "der", type: "pkcs1" })
      case "EC": return createPrivateKey({ key: der, format: "der", type: "sec1" })
    }
  } catch (e) {
    if (e instanceof GoError) throw e
    throw new GoError(`parsing ${type.split(" ")[0]} private key from PEM: ${(e as Error).message}`)
  }
  throw new GoError(`invalid private key type ${type}`)
}

// ---- a minimal DER writer ----

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  while (n > 0) { bytes.unshift(n & 0xff); n >>= 8 }
  return Buffer.from([0x80 | bytes.length, ...bytes])
}
const tlv = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag]), len(body.length), body])
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items))
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items))
function oid(s: string): Buffer {
  const p = s.split(".").map(Number)
  const out = [40 * p[0]! + p[1]!]
  for (const v of p.slice(2)) {
    const b: number[] = [v & 0x7f]
    let x = v >>> 7
    while (x > 0) { b.unshift(0x80 | (x & 0x7f)); x >>>= 7 }
    out.push(...b)
  }
  return tlv(0x06, Buffer.from(out))
}
function int(v: bigint): Buffer {
  let hex = v.toString(16)
  if (hex.length % 2) hex = "0" + hex
  let b = Buffer.from(hex, "hex")
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b])
  return tlv(0x02, b)
}
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]))
const octets = (b: Buffer) => tlv(0x04, b)
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]))
const ctx = (n: number, body: Buffer, constructed = true) => tlv((constructed ? 0xa0 : 0x80) | n, body)
function time(d: Date): Buffer {
  const y = d.getUTCFullYear()
  const p = (n: number) => String(n).padStart(2, "0")
  const s = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`
  return y >= 1950 && y < 2050 ? tlv(0x17, Buffer.from(String(y % 100).padStart(2, "0") + s)) : tlv(0x18, Buffer.from(String(y) + s))
}
const name = (cn: string) => seq(...(cn === "" ? [] : [set(seq(oid("2.5.4.3"), tlv(/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(cn) ? 0x13 : 0x0c, Buffer.from(cn, "utf8"))))]))

function dsaDer(k: KeyObject): Buffer {
  // sprig's DSAKeyFormat: SEQUENCE { version, P, Q, G, Y, X }
  const pkcs8 = k.export({ format: "der", type: "pkcs8" }) as Buffer
  const read = (b: Buffer, i: number): [number, number, number] => {
    let l = b[i + 1]!
    let off = i + 2
    if (l & 0x80) {
      const n = l & 0x7f
      l = 0
      for (let j = 0; j < n; j++) l = (l << 8) | b[off + j]!
      off += n
    }
    return [b[i]!, off, l]
  }
  const ints: bigint[] = []
  const walk = (b: Buffer, start: number, end: number) => {
    for (let i = start; i < end;) {
      const [tag, off, l] = read(b, i)
      if (tag === 0x30 || tag === 0x04) walk(b, off, off + l)
      else if (tag === 0x02) ints.push(BigInt("0x" + (b.subarray(off, off + l).toString("hex") || "0")))
      i = off + l
    }
  }
  walk(pkcs8, 0, pkcs8.length)
  const [, p, q, g, x] = ints as [bigint, bigint, bigint, bigint, bigint]
  let y = 1n, base = g % p, e = x
  while (e > 0n) { if (e & 1n) y = (y * base) % p; base = (base * base) % p; e >>= 1n }
  return seq(int(0n), int(p), int(q), int(g), int(y), int(x))
}

// ---- certificates ----

interface Cert { Cert: string; Key: string }

/** sprig's certificate struct {Cert, Key} */
export const CertificateType: ObjType = { name: "sprig.certificate", kind: "struct", fields: ["Cert", "Key"] }
const P_CERT: ParamType = { name: "sprig.certificate", constKind: "other", nilOk: false, accepts: (v) => v instanceof GoObject && v.type === CertificateType }

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split(".").map(Number))
  const [head, tail = ""] = ip.split("::") as [string, string?]
  const h = head ? head.split(":") : []
  const t = tail ? tail.split(":") : []
  const groups = ip.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h
  return Buffer.from(groups.flatMap((g: string) => { const n = parseInt(g, 16); return [n >> 8, n & 0xff] }))
}

function stringsOf(v: unknown[], what: "ip" | "dns"): string[] {
  return v.map((x) => {
    if (typeof x !== "string") throw new GoError(what === "ip" ? `error parsing ip: ${sprintValue(x)} is not a string` : `error processing alternate dns name: ${sprintValue(x)} is not a string`)
    if (what === "ip" && isIP(x) === 0) throw new GoError(`error parsing ip: ${x}`)
    return x
  })
}

function sigAlg(k: KeyObject): [Buffer, string | null] {
  switch (k.asymmetricKeyType) {
    case "rsa": return [seq(oid("1.2.840.113549.1.1.11"), tlv(0x05, Buffer.alloc(0))), "sha256"]
    case "ec": return [seq(oid("1.2.840.10045.4.3.2")), "sha256"]
    case "ed25519": return [seq(oid("1.3.101.112")), null]
  }
  throw new GoError(`unsupported signing key type ${k.asymmetricKeyType}`)
}

function makeCert(cn: string, ips: string[], dns: string[], days: bigint, isCA: boolean, key: KeyObject, signer?: { cert: X509Certificate; key: KeyObject }): Cert {
  const pub = createPublicKey(key)
  const spki = pub.export({ format: "der", type: "spki" }) as Buffer
  const serial = BigInt("0x" + randomBytes(16).toString("hex"))
  const now = new Date()
  const notAfter = new Date(now.getTime() + Number(days) * 86400000)
  const ski = createHash("sha1").update(spki).digest()
  const exts: Buffer[] = []
  const ext = (id: string, critical: boolean, value: Buffer) => exts.push(seq(oid(id), ...(critical ? [bool(true)] : []), octets(value)))
  // keyUsage: digitalSignature(0) keyEncipherment(2) [keyCertSign(5)]
  ext("2.5.29.15", true, isCA ? bits(Buffer.from([0xa4]), 2) : bits(Buffer.from([0xa0]), 5))
  ext("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2")))
  ext("2.5.29.19", true, isCA ? seq(bool(true)) : seq())
  if (isCA) ext("2.5.29.14", false, octets(ski))
  if (signer) {
    const aki = (signer.cert as any).subjectKeyIdentifier ?? createHash("sha1").update(createPublicKey(signer.key).export({ format: "der", type: "spki" }) as Buffer).digest()
    ext("2.5.29.35", false, seq(ctx(0, Buffer.isBuffer(aki) ? aki : Buffer.from(String(aki).replace(/:/g, ""), "hex"), false)))
  }
  if (ips.length > 0 || dns.length > 0)
    ext("2.5.29.17", false, seq(...dns.map((n) => ctx(2, Buffer.from(n), false)), ...ips.map((ip) => ctx(7, ipBytes(ip), false))))
  const signingKey = signer?.key ?? key
  const [alg, hash] = sigAlg(signingKey)
  const issuer = signer ? (signer.cert.raw && extractSubject(signer.cert.raw)) : name(cn)
  const tbs = seq(ctx(0, int(2n)), int(serial), alg, issuer, seq(time(now), time(notAfter)), name(cn), spki, ctx(3, seq(...exts)))
  const sig = sign(hash, tbs, signingKey)
  const der = seq(tbs, alg, bits(sig))
  return { Cert: pem("CERTIFICATE", der), Key: keyPem(key) }
}

/** The raw subject Name of a DER certificate (the issuer of certificates it signs). */
function extractSubject(der: Buffer): Buffer {
  const read = (i: number): [number, number] => {
    let l = der[i + 1]!
    let off = i + 2
    if (l & 0x80) {
      const n = l & 0x7f
      l = 0
      for (let j = 0; j < n; j++) l = (l << 8) | der[off + j]!
      off += n
    }
    return [off, l]
  }
  const [certBody] = read(0)
  const [tbsBody] = read(certBody)
  let i = tbsBody
  const skip = () => { const [o, l] = read(i); const start = i; i = o + l; return der.subarray(start, i) }
  if (der[i] === 0xa0) skip() // version
  skip() // serial
  skip() // signature alg
  skip() // issuer
  skip() // validity
  return skip() // subject
}

const certObj = (c: Cert) => new GoObject(CertificateType, c)

function withSigner(ca: GoObject): { cert: X509Certificate; key: KeyObject } {
  const c = ca.v as Cert
  let cert: X509Certificate
  try {
    cert = new X509Certificate(c.Cert)
  } catch {
    throw new GoError("unable to decode certificate")
  }
  let key: KeyObject
  try {
    key = parseKey(c.Key)
  } catch (e) {
    throw new GoError(`error parsing private key: ${(e as Error).message}`)
  }
  return { cert, key }
}

const withKey = (pemKey: string) => {
  try {
    return parseKey(pemKey)
  } catch (e) {
    throw new GoError(`parsing private key: ${(e as Error).message}`)
  }
}
const rsa2048 = () => generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey

export const cryptoFuncs: FuncMap = {
  bcrypt: def([P_STRING], (s: string) => bcrypt(s)),
  htpasswd: def([P_STRING, P_STRING], (u: string, p: string) => (u.includes(":") ? `invalid username: ${u}` : `${u}:${bcrypt(p)}`)),
  derivePassword: def([P_UINT32, P_STRING, P_STRING, P_STRING, P_STRING], derivePassword),
  encryptAES: def([P_STRING, P_STRING], encryptAES, { errors: true }),
  decryptAES: def([P_STRING, P_STRING], decryptAES, { errors: true }),
  genPrivateKey: def([P_STRING], generatePrivateKey),
  buildCustomCert: def([P_STRING, P_STRING], (b64cert: string, b64key: string) => {
    const certB = strictBase64(b64cert), keyB = strictBase64(b64key)
    if (certB === undefined) throw new GoError("unable to decode base64 certificate")
    if (keyB === undefined) throw new GoError("unable to decode base64 private key")
    const cert = certB.toString("utf8"), key = keyB.toString("utf8")
    if (!/-----BEGIN [A-Z ]+-----/.test(cert)) throw new GoError("unable to decode certificate")
    try { new X509Certificate(cert) } catch (e) { throw new GoError(`error parsing certificate: decodedCert.Bytes: ${(e as Error).message}`) }
    try { parseKey(key) } catch (e) { throw new GoError(`error parsing private key: ${(e as Error).message}`) }
    return certObj({ Cert: cert, Key: key })
  }, { errors: true }),
  genCA: def([P_STRING, P_INT], (cn: string, days: bigint) => certObj(makeCert(cn, [], [], days, true, rsa2048())), { errors: true }),
  genCAWithKey: def([P_STRING, P_INT, P_STRING], (cn: string, days: bigint, k: string) => certObj(makeCert(cn, [], [], days, true, withKey(k))), { errors: true }),
  genSelfSignedCert: def([P_STRING, P_LIST, P_LIST, P_INT], (cn: string, ips: unknown[], dns: unknown[], days: bigint) =>
    certObj(makeCert(cn, stringsOf(ips, "ip"), stringsOf(dns, "dns"), days, false, rsa2048())), { errors: true }),
  genSelfSignedCertWithKey: def([P_STRING, P_LIST, P_LIST, P_INT, P_STRING], (cn: string, ips: unknown[], dns: unknown[], days: bigint, k: string) =>
    certObj(makeCert(cn, stringsOf(ips, "ip"), stringsOf(dns, "dns"), days, false, withKey(k))), { errors: true }),
  genSignedCert: def([P_STRING, P_LIST, P_LIST, P_INT, P_CERT], (cn: string, ips: unknown[], dns: unknown[], days: bigint, ca: GoObject) => {
    const ipList = stringsOf(ips, "ip"), dnsList = stringsOf(dns, "dns")
    return certObj(makeCert(cn, ipList, dnsList, days, false, rsa2048(), withSigner(ca)))
  }, { errors: true }),
  genSignedCertWithKey: def([P_STRING, P_LIST, P_LIST, P_INT, P_CERT, P_STRING], (cn: string, ips: unknown[], dns: unknown[], days: bigint, ca: GoObject, k: string) =>
    certObj(makeCert(cn, stringsOf(ips, "ip"), stringsOf(dns, "dns"), days, false, withKey(k), withSigner(ca))), { errors: true }),
}

