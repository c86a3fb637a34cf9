import { decodeUtf8 } from "./values.ts"

// Go's strconv, as far as templates see it: float formatting (shortest and
// fixed precision with round-half-even on the exact binary value), quoting,
// unquoting and integer/float parsing with Go's syntax and error texts.

/** Decimal digits of a positive finite float: value = 0.d1d2d3... × 10^dp. */
interface Digits {
  d: string
  dp: number
}

const PRINT = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(r: number): boolean {
  if (r < 0x80) return r >= 0x20 && r < 0x7f
  return PRINT.test(String.fromCodePoint(r))
}

/** unicode.IsGraphic is IsPrint plus the Unicode spaces (Zs). */
export function isGraphic(r: number): boolean {
  return isPrint(r) || /^\p{Zs}$/u.test(String.fromCodePoint(r))
}

function shortest(v: number, bitSize: number): Digits {
  if (v === 0) return { d: "", dp: 0 }
  if (bitSize === 32) {
    const f = Math.fround(v)
    for (let p = 1; p <= 9; p++) {
      const s = f.toExponential(p - 1)
      if (Math.fround(Number(s)) === f) return parseExp(s)
    }
  }
  return parseExp(v.toExponential())
}

function parseExp(s: string): Digits {
  // "1.2345e+2" -> d "12345", dp 3
  const e = s.indexOf("e")
  let mant = s.slice(0, e).replace(".", "")
  const exp = Number(s.slice(e + 1))
  mant = mant.replace(/0+$/, "")
  if (mant === "") return { d: "", dp: 0 }
  return { d: mant, dp: exp + 1 }
}

const f64 = new Float64Array(1)
const u32 = new Uint32Array(f64.buffer)

/** The exact decimal expansion of a positive finite double. */
function exact(v: number): Digits {
  f64[0] = v
  const lo = u32[0]!
  const hi = u32[1]!
  const bexp = (hi >>> 20) & 0x7ff
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  let e: number
  if (bexp === 0) e = -1074
  else {
    mant |= 1n << 52n
    e = bexp - 1075
  }
  if (mant === 0n) return { d: "", dp: 0 }
  if (e >= 0) {
    const s = (mant << BigInt(e)).toString()
    return trim({ d: s, dp: s.length })
  }
  const k = -e
  const s = (mant * 5n ** BigInt(k)).toString()
  return trim({ d: s, dp: s.length - k })
}

function trim(x: Digits): Digits {
  let n = x.d.length
  while (n > 0 && x.d.charCodeAt(n - 1) === 48) n--
  return n === x.d.length ? x : { d: x.d.slice(0, n), dp: n === 0 ? 0 : x.dp }
}

/** Rounds to nd digits, half to even on the exact value (Go's decimal.Round). */
function round(x: Digits, nd: number): Digits {
  if (nd < 0 || nd >= x.d.length) return x
  const c = x.d.charCodeAt(nd)
  let up: boolean
  if (c > 53) up = true
  else if (c < 53) up = false
  else if (nd + 1 < x.d.length) up = true // more non-zero digits follow (trimmed)
  else up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1
  if (!up) return trim({ d: x.d.slice(0, nd), dp: x.d.slice(0, nd) === "" ? 0 : x.dp })
  let i = nd - 1
  while (i >= 0 && x.d[i] === "9") i--
  if (i < 0) return { d: "1", dp: x.dp + 1 }
  return trim({ d: x.d.slice(0, i) + String.fromCharCode(x.d.charCodeAt(i) + 1), dp: x.dp })
}

function fmtE(neg: boolean, d: Digits, prec: number, ch: string): string {
  let s = neg ? "-" : ""
  s += d.d.length ? d.d[0] : "0"
  if (prec > 0) {
    s += "."
    const m = Math.min(d.d.length, prec + 1)
    s += d.d.slice(1, m)
    for (let i = Math.max(m, 1); i <= prec; i++) s += "0"
  }
  let exp = d.d.length === 0 ? 0 : d.dp - 1
  const sign = exp < 0 ? "-" : "+"
  if (exp < 0) exp = -exp
  return s + ch + sign + (exp < 10 ? "0" + exp : String(exp))
}

function fmtF(neg: boolean, d: Digits, prec: number): string {
  let s = neg ? "-" : ""
  if (d.dp > 0) {
    const m = Math.min(d.d.length, d.dp)
    s += d.d.slice(0, m)
    for (let i = m; i < d.dp; i++) s += "0"
  } else s += "0"
  if (prec > 0) {
    s += "."
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i
      s += j >= 0 && j < d.d.length ? d.d[j] : "0"
    }
  }
  return s
}

/** strconv.FormatFloat(v, fmt, prec, bitSize) for fmt in e E f g G x X b. */
export function formatFloat(v: number, fmt: string, prec: number, bitSize = 64): string {
  if (Number.isNaN(v)) return "NaN"
  if (v === Infinity) return "+Inf"
  if (v === -Infinity) return "-Inf"
  if (bitSize === 32) v = Math.fround(v)
  const neg = v < 0 || Object.is(v, -0)
  const a = Math.abs(v)
  if (fmt === "x" || fmt === "X") return fmtX(neg, a, prec, fmt, bitSize)
  if (fmt === "b") return fmtB(neg, a, bitSize)
  const isShortest = prec < 0
  let d: Digits
  if (isShortest) {
    d = shortest(a, bitSize)
    switch (fmt) {
      case "e": case "E": prec = Math.max(d.d.length - 1, 0); break
      case "f": prec = Math.max(d.d.length - d.dp, 0); break
      case "g": case "G": prec = d.d.length; break
    }
  } else {
    d = exact(a)
    switch (fmt) {
      case "e": case "E": d = round(d, prec + 1); break
      case "f": d = round(d, d.dp + prec); break
      case "g": case "G":
        if (prec === 0) prec = 1
        d = round(d, prec)
        break
    }
  }
  switch (fmt) {
    case "e": case "E": return fmtE(neg, d, prec, fmt)
    case "f": return fmtF(neg, d, prec)
    case "g": case "G": {
      let eprec = prec
      if (eprec > d.d.length && d.d.length >= d.dp) eprec = d.d.length
      if (isShortest) eprec = 6
      const exp = d.dp - 1
      if (d.d.length !== 0 && (exp < -4 || exp >= eprec)) {
        if (prec > d.d.length) prec = d.d.length
        return fmtE(neg, d, prec - 1, fmt === "g" ? "e" : "E")
      }
      if (d.d.length === 0 && eprec <= 0) return fmtE(neg, d, prec - 1, fmt === "g" ? "e" : "E")
      if (prec > d.dp) prec = d.d.length
      return fmtF(neg, d, Math.max(prec - d.dp, 0))
    }
  }
  return "%" + fmt
}

function fmtB(neg: boolean, a: number, bitSize: number): string {
  f64[0] = a
  const lo = u32[0]!, hi = u32[1]!
  const bexp = (hi >>> 20) & 0x7ff
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  let e = bexp === 0 ? -1074 : bexp - 1075
  if (bexp !== 0) mant |= 1n << 52n
  if (bitSize === 32) { /* rarely used: report as float64 bits */ }
  return (neg ? "-" : "") + mant.toString() + "p" + (e >= 0 ? "+" : "") + e
}

function fmtX(neg: boolean, a: number, prec: number, fmt: string, _bitSize: number): string {
  f64[0] = a
  const lo = u32[0]!, hi = u32[1]!
  const bexp = (hi >>> 20) & 0x7ff
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  let exp = bexp === 0 ? -1022 : bexp - 1023
  if (bexp !== 0) mant |= 1n << 52n
  if (mant === 0n) exp = 0
  else {
    // normalise so the leading 1 is at bit 52
    while (mant < 1n << 52n) { mant <<= 1n; exp-- }
  }
  // mant has 53 bits: 1.xxxx (52 fraction bits = 13 hex digits)
  let frac = mant & ((1n << 52n) - 1n)
  let lead = mant === 0n ? 0n : 1n
  let digits = 13
  if (prec >= 0 && prec < 13) {
    const shift = BigInt((13 - prec) * 4)
    const full = (lead << 52n) | frac
    const half = 1n << (shift - 1n)
    let q = full >> shift
    const r = full & ((1n << shift) - 1n)
    if (r > half || (r === half && (q & 1n) === 1n)) q++
    if (q >> BigInt(prec * 4) >= 2n) { q >>= 1n; exp++ }
    lead = q >> BigInt(prec * 4)
    frac = q & ((1n << BigInt(prec * 4)) - 1n)
    digits = prec
  }
  let fs = digits > 0 ? frac.toString(16).padStart(digits, "0") : ""
  if (prec < 0) fs = fs.replace(/0+$/, "")
  else fs = fs.padEnd(prec, "0")
  let s = (neg ? "-" : "") + "0x" + lead.toString() + (fs ? "." + fs : "") + "p" + (exp >= 0 ? "+" : "-") + String(Math.abs(exp)).padStart(2, "0")
  if (fmt === "X") s = s.toUpperCase()
  return s
}

// ---- quoting ----

function escapeRune(r: number, quote: number, asciiOnly: boolean, graphicOnly = false): string {
  if (r === quote || r === 92) return "\\" + String.fromCharCode(r)
  if (asciiOnly) {
    if (r < 0x80 && isPrint(r)) return String.fromCharCode(r)
  } else if (graphicOnly ? isGraphic(r) : isPrint(r)) return String.fromCodePoint(r)
  switch (r) {
    case 7: return "\\a"
    case 8: return "\\b"
    case 12: return "\\f"
    case 10: return "\\n"
    case 13: return "\\r"
    case 9: return "\\t"
    case 11: return "\\v"
  }
  if (r < 0x20 || r === 0x7f) return "\\x" + hex2(r)
  if (r >= 0xd800 && r <= 0xdfff) return "\\ufffd"
  if (r < 0x10000) return "\\u" + r.toString(16).padStart(4, "0")
  return "\\U" + r.toString(16).padStart(8, "0")
}

const hex2 = (n: number) => (n < 16 ? "0" : "") + n.toString(16)

/** strconv.Quote (asciiOnly: QuoteToASCII). */
export function quote(s: string, asciiOnly = false): string {
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x20 && c < 0x7f && c !== 34 && c !== 92) { out += s[i]; continue }
    const r = s.codePointAt(i)!
    if (r > 0xffff) i++
    out += escapeRune(r, 34, asciiOnly)
  }
  return out + '"'
}

/** strconv.Quote of bytes that may not be valid UTF-8 (bad bytes as \xHH). */
export function quoteBytes(b: Uint8Array, asciiOnly = false): string {
  let out = '"'
  let i = 0
  while (i < b.length) {
    const c = b[i]!
    let n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1
    if (n > 0) {
      const s = decodeUtf8(b.subarray(i, i + n + 1))
      if (s.length > 0 && !s.includes("\ufffd") && Buffer.byteLength(s) === n + 1) {
        out += escapeRune(s.codePointAt(0)!, 34, asciiOnly)
        i += n + 1
        continue
      }
      n = -1
    }
    if (n < 0) { out += "\\x" + hex2(c); i++; continue }
    out += escapeRune(c, 34, asciiOnly)
    i++
  }
  return out + '"'
}

/** strconv.QuoteRune (asciiOnly: QuoteRuneToASCII). */
export function quoteRune(r: number, asciiOnly = false): string {
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff) || r < 0) r = 0xfffd
  return "'" + escapeRune(r, 39, asciiOnly) + "'"
}

/** strconv.CanBackquote. */
export function canBackquote(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x60 || c === 0xfeff) return false
    if (c < 0x20 && c !== 9) return false
    if (c === 0x7f) return false
  }
  return true
}

/** strconv.ErrSyntax's text. */
export class SyntaxError_ extends Error {}

/** strconv.Unquote: a Go string, raw string or character literal. */
export function unquote(s: string): string {
  const n = s.length
  if (n < 2) throw new SyntaxError_("invalid syntax")
  const q = s[0]
  if (q !== s[n - 1]) throw new SyntaxError_("invalid syntax")
  const body = s.slice(1, n - 1)
  if (q === "`") {
    if (body.includes("`")) throw new SyntaxError_("invalid syntax")
    return body.includes("\r") ? body.replaceAll("\r", "") : body
  }
  if (q !== '"' && q !== "'") throw new SyntaxError_("invalid syntax")
  if (body.includes("\n")) throw new SyntaxError_("invalid syntax")
  if (!body.includes("\\") && !body.includes(q)) {
    if (q === '"') return body
    if (q === "'" && [...body].length === 1) return body
  }
  const bytes: number[] = []
  let rest = body
  let count = 0
  while (rest.length > 0) {
    const [r, mb, tail] = unquoteChar(rest, q.charCodeAt(0))
    rest = tail
    count++
    if (!mb && r < 0x100 && r >= 0x80) bytes.push(r) // \xHH and \ooo are bytes
    else for (const b of Buffer.from(String.fromCodePoint(r), "utf8")) bytes.push(b)
    if (q === "'" && rest.length !== 0) throw new SyntaxError_("invalid syntax")
  }
  if (q === "'" && count !== 1) throw new SyntaxError_("invalid syntax")
  return decodeUtf8(Uint8Array.from(bytes))
}

/** strconv.UnquoteChar: [rune, multibyte, tail]. */
export function unquoteChar(s: string, quote: number): [number, boolean, string] {
  const c = s.charCodeAt(0)
  if (c === quote && (quote === 39 || quote === 34)) throw new SyntaxError_("invalid syntax")
  if (c !== 92) {
    const r = s.codePointAt(0)!
    const w = r > 0xffff ? 2 : 1
    return [r, r >= 0x80, s.slice(w)]
  }
  if (s.length <= 1) throw new SyntaxError_("invalid syntax")
  const e = s[1]!
  let tail = s.slice(2)
  switch (e) {
    case "a": return [7, false, tail]
    case "b": return [8, false, tail]
    case "f": return [12, false, tail]
    case "n": return [10, false, tail]
    case "r": return [13, false, tail]
    case "t": return [9, false, tail]
    case "v": return [11, false, tail]
    case "x": case "u": case "U": {
      const n = e === "x" ? 2 : e === "u" ? 4 : 8
      if (tail.length < n) throw new SyntaxError_("invalid syntax")
      const h = tail.slice(0, n)
      if (!/^[0-9a-fA-F]+$/.test(h)) throw new SyntaxError_("invalid syntax")
      const v = parseInt(h, 16)
      tail = tail.slice(n)
      if (e === "x") return [v, false, tail]
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new SyntaxError_("invalid syntax")
      return [v, true, tail]
    }
    case "0": case "1": case "2": case "3": case "4": case "5": case "6": case "7": {
      const o = s.slice(1, 4)
      if (!/^[0-7]{3}$/.test(o)) throw new SyntaxError_("invalid syntax")
      const v = parseInt(o, 8)
      if (v > 255) throw new SyntaxError_("invalid syntax")
      return [v, false, s.slice(4)]
    }
    case "\\": return [92, false, tail]
    case "'": case '"':
      if (e.charCodeAt(0) !== quote) throw new SyntaxError_("invalid syntax")
      return [e.charCodeAt(0), false, tail]
  }
  throw new SyntaxError_("invalid syntax")
}

// ---- parsing numbers ----

/** A strconv.NumError: `strconv.ParseInt: parsing "x": invalid syntax`. */
export class NumError extends Error {
  readonly reason: "invalid syntax" | "value out of range"
  constructor(fn: string, input: string, reason: "invalid syntax" | "value out of range") {
    super(`strconv.${fn}: parsing ${quote(input)}: ${reason}`)
    this.reason = reason
  }
}

function underscoreOK(s: string): boolean {
  let saw = "^"
  let i = 0
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1)
  let hex = false
  if (s.length >= 2 && s[0] === "0" && "bBoOxX".includes(s[1]!)) {
    i = 2
    saw = "0"
    hex = s[1] === "x" || s[1] === "X"
  }
  for (; i < s.length; i++) {
    const c = s[i]!
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) { saw = "0"; continue }
    if (c === "_") {
      if (saw !== "0") return false
      saw = "_"
      continue
    }
    if (saw === "_") return false
    saw = "!"
  }
  return saw !== "_"
}

/** strconv.ParseUint(s, base, bitSize) as a bigint. */
export function parseUint(s: string, base: number, bitSize: number, fn = "ParseUint"): bigint {
  const s0 = s
  if (s === "") throw new NumError(fn, s0, "invalid syntax")
  const base0 = base === 0
  if (base === 0) {
    base = 10
    if (s[0] === "0") {
      if (s.length >= 3 && (s[1] === "b" || s[1] === "B")) { base = 2; s = s.slice(2) }
      else if (s.length >= 3 && (s[1] === "o" || s[1] === "O")) { base = 8; s = s.slice(2) }
      else if (s.length >= 3 && (s[1] === "x" || s[1] === "X")) { base = 16; s = s.slice(2) }
      else { base = 8; s = s.slice(1) }
    }
  }
  const max = (1n << BigInt(bitSize)) - 1n
  let n = 0n
  let underscores = false
  const B = BigInt(base)
  for (const c of s) {
    let d: number
    if (c === "_" && base0) { underscores = true; continue }
    if (c >= "0" && c <= "9") d = c.charCodeAt(0) - 48
    else if (c >= "a" && c <= "z") d = c.charCodeAt(0) - 87
    else if (c >= "A" && c <= "Z") d = c.charCodeAt(0) - 55
    else throw new NumError(fn, s0, "invalid syntax")
    if (d >= base) throw new NumError(fn, s0, "invalid syntax")
    n = n * B + BigInt(d)
    if (n > max) {
      // keep scanning for syntax errors as Go does (range error wins only when the rest is valid)
      for (const r of s.slice(s.indexOf(c) + 1)) {
        if (r === "_" && base0) continue
        const dd = /[0-9]/.test(r) ? r.charCodeAt(0) - 48 : /[a-z]/.test(r) ? r.charCodeAt(0) - 87 : /[A-Z]/.test(r) ? r.charCodeAt(0) - 55 : 99
        if (dd >= base) throw new NumError(fn, s0, "invalid syntax")
      }
      throw new NumError(fn, s0, "value out of range")
    }
  }
  if (s === "" && !(base0 && base === 8)) throw new NumError(fn, s0, "invalid syntax")
  if (underscores && !underscoreOK(s0)) throw new NumError(fn, s0, "invalid syntax")
  return n
}

/** strconv.ParseInt(s, base, bitSize) as a bigint. */
export function parseInt_(s: string, base: number, bitSize: number): bigint {
  if (s === "") throw new NumError("ParseInt", s, "invalid syntax")
  let neg = false
  let body = s
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-"
    body = s.slice(1)
  }
  let un: bigint
  try {
    un = parseUint(body, base, bitSize, "ParseInt")
  } catch (e) {
    if (e instanceof NumError) {
      if (e.reason === "value out of range") throw new NumError("ParseInt", s, "value out of range")
      throw new NumError("ParseInt", s, "invalid syntax")
    }
    throw e
  }
  const cutoff = 1n << BigInt(bitSize - 1)
  if (!neg && un >= cutoff) throw new NumError("ParseInt", s, "value out of range")
  if (neg && un > cutoff) throw new NumError("ParseInt", s, "value out of range")
  return neg ? -un : un
}

const DEC_FLOAT = /^[+-]?(?:(?:[0-9](?:_?[0-9])*)?\.?(?:[0-9](?:_?[0-9])*)?)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$/
const HEX_FLOAT = /^[+-]?0[xX](?:_?[0-9a-fA-F])*(?:\.(?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?)?[pP][+-]?[0-9](?:_?[0-9])*$/

/** strconv.ParseFloat(s, 64). */
export function parseFloat_(s: string, bitSize = 64): number {
  const lower = s.toLowerCase()
  const sign = lower[0] === "-" ? -1 : 1
  const body = lower[0] === "-" || lower[0] === "+" ? lower.slice(1) : lower
  if (body === "inf" || body === "infinity") return sign * Infinity
  if (body === "nan") return NaN
  let v: number
  if (HEX_FLOAT.test(s)) {
    const t = body.replaceAll("_", "").slice(2)
    const [m, e] = t.split("p") as [string, string]
    const [ip, fp = ""] = m.split(".") as [string, string?]
    const digits = (ip ?? "") + fp
    if (digits === "") throw new NumError("ParseFloat", s, "invalid syntax")
    v = sign * Number(BigInt("0x" + digits)) * 2 ** (Number(e) - 4 * fp.length)
  } else {
    if (!DEC_FLOAT.test(s) || !/[0-9]/.test(s.split(/[eE]/)[0]!)) throw new NumError("ParseFloat", s, "invalid syntax")
    if (s.includes("_") && !underscoreOK(s)) throw new NumError("ParseFloat", s, "invalid syntax")
    v = Number(s.replaceAll("_", ""))
  }
  if (bitSize === 32) v = Math.fround(v)
  if (!Number.isFinite(v)) throw new NumError("ParseFloat", s, "value out of range")
  return v
}
