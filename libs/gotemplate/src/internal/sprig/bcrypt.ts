// bcrypt ($2a$, as golang.org/x/crypto/bcrypt writes it) for sprig's
// bcrypt and htpasswd. Blowfish's initial state is the hex expansion of
// pi, computed once here instead of carried as a table.
import { randomBytes } from "node:crypto"

let PI_WORDS: Uint32Array | undefined

/** The first n 32-bit words of pi's fractional hex digits (Machin's formula in BigInt fixed point). */
function piWords(n: number): Uint32Array {
  const bits = BigInt(n * 32 + 64)
  const one = 1n << bits
  const arctanInv = (x: bigint): bigint => {
    let sum = 0n
    let term = one / x
    const x2 = x * x
    for (let k = 1n; term !== 0n; k += 2n) {
      sum += ((k / 2n) % 2n === 0n ? term : -term) / k
      term /= x2
    }
    return sum
  }
  const pi = 4n * (4n * arctanInv(5n) - arctanInv(239n))
  const frac = pi & (one - 1n)
  const words = new Uint32Array(n)
  for (let i = 0; i < n; i++) words[i] = Number((frac >> (bits - BigInt((i + 1) * 32))) & 0xffffffffn)
  return words
}

class Blowfish {
  readonly p: Uint32Array
  readonly s: Uint32Array
  constructor() {
    PI_WORDS ??= piWords(18 + 1024)
    this.p = PI_WORDS.slice(0, 18)
    this.s = PI_WORDS.slice(18)
  }
  f(x: number): number {
    const s = this.s
    return ((((s[x >>> 24]! + s[256 + ((x >>> 16) & 0xff)]!) ^ s[512 + ((x >>> 8) & 0xff)]!) + s[768 + (x & 0xff)]!) >>> 0)
  }
  encrypt(l: number, r: number): [number, number] {
    const p = this.p
    for (let i = 0; i < 16; i += 2) {
      l = (l ^ p[i]!) >>> 0
      r = (r ^ this.f(l)) >>> 0
      r = (r ^ p[i + 1]!) >>> 0
      l = (l ^ this.f(r)) >>> 0
    }
    l = (l ^ p[16]!) >>> 0
    r = (r ^ p[17]!) >>> 0
    return [r, l]
  }
  /** ExpandKey(state, salt, key); an empty salt is the plain key schedule. */
  expand(key: Uint8Array, salt: Uint8Array): void {
    let kj = 0
    const word = (b: Uint8Array, j: { v: number }) => {
      let w = 0
      for (let i = 0; i < 4; i++) {
        w = ((w << 8) | b[j.v]!) >>> 0
        j.v = (j.v + 1) % b.length
      }
      return w
    }
    const kpos = { v: kj }
    for (let i = 0; i < 18; i++) this.p[i] = (this.p[i]! ^ word(key, kpos)) >>> 0
    kj = kpos.v
    const spos = { v: 0 }
    let l = 0, r = 0
    const next = () => {
      if (salt.length > 0) {
        l = (l ^ word(salt, spos)) >>> 0
        r = (r ^ word(salt, spos)) >>> 0
      }
      ;[l, r] = this.encrypt(l, r)
    }
    for (let i = 0; i < 18; i += 2) { next(); this.p[i] = l; this.p[i + 1] = r }
    for (let i = 0; i < 1024; i += 2) { next(); this.s[i] = l; this.s[i + 1] = r }
  }
}

const B64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

function b64(b: Uint8Array): string {
  let out = ""
  let i = 0
  while (i < b.length) {
    const c1 = b[i++]!
    out += B64[c1 >> 2]
    let c = (c1 & 3) << 4
    if (i >= b.length) { out += B64[c]; break }
    const c2 = b[i++]!
    out += B64[c | (c2 >> 4)]
    c = (c2 & 0x0f) << 2
    if (i >= b.length) { out += B64[c]; break }
    const c3 = b[i++]!
    out += B64[c | (c3 >> 6)]
    out += B64[c3 & 0x3f]
  }
  return out
}

/** A bcrypt hash of password at cost, with the given 16-byte salt (random when omitted). */
export function bcrypt(password: string, cost = 10, salt: Uint8Array = randomBytes(16)): string {
  const key = new Uint8Array([...Buffer.from(password, "utf8"), 0])
  const bf = new Blowfish()
  bf.expand(key, salt)
  const rounds = 1 << cost
  const empty = new Uint8Array(0)
  for (let i = 0; i < rounds; i++) {
    bf.expand(key, empty)
    bf.expand(salt, empty)
  }
  const ctext = Buffer.from("OrpheanBeholderScryDoubt", "latin1")
  const words: number[] = []
  for (let i = 0; i < 24; i += 4) words.push(ctext.readUInt32BE(i))
  for (let n = 0; n < 64; n++) {
    for (let i = 0; i < 6; i += 2) {
      const [l, r] = bf.encrypt(words[i]!, words[i + 1]!)
      words[i] = l
      words[i + 1] = r
    }
  }
  const out = Buffer.alloc(24)
  words.forEach((w, i) => out.writeUInt32BE(w, i * 4))
  return `$2a$${String(cost).padStart(2, "0")}$${b64(salt)}${b64(out.subarray(0, 23))}`
}
