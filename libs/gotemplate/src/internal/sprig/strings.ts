// sprig's string functions. Go strings are bytes: functions that index or
// slice by byte (trunc, substr, abbrev, wrap, initials, nospace) do so on
// the UTF-8 encoding, as sprig does.
import { createHash, randomBytes, randomInt } from "node:crypto"
import { sprintf } from "../printf.ts"
import { def, GoError, P_ANY, P_INT, P_STRING, vdef, type FuncMap } from "../funcs.ts"
import { quote as goQuote } from "../strconv.ts"
import {
  byteLength, byteSlice, compareStrings, decodeUtf8, isAscii, sliceItems, stringSlice, T_STRING_MAP, tag,
} from "../values.ts"
import { strval } from "./cast.ts"
import { toCamelCase, toLowerWords } from "./xstrings.ts"
import { isLetter, isLower, isSpaceRune, isTitle, isUpper, toLowerRune, toTitleRune, toUpperRune } from "./unicode.ts"

const str1 = (fn: (s: string) => unknown) => def([P_STRING], fn)

/** sprig's strslice: a []string from a list (nil elements dropped) or a single value. */
export function strslice(v: unknown): string[] {
  if (Array.isArray(v) && (v as any)[Symbol.for("moor.gotemplate.type")]?.name === "[]string") return v as string[]
  const items = sliceItems(v)
  if (items !== undefined) return items.filter((e) => e !== null && e !== undefined).map(strval)
  if (v === null || v === undefined) return []
  return [strval(v)]
}

/** strings.Title: upper-cases the first letter of each word (word boundaries per Go's isSeparator). */
export function title(s: string): string {
  let prev = " "
  let out = ""
  for (const ch of s) {
    out += isSeparator(prev) ? String.fromCodePoint(toTitleRune(ch.codePointAt(0)!)) : ch
    prev = ch
  }
  return out
}

function isSeparator(ch: string): boolean {
  const r = ch.codePointAt(0)!
  if (r <= 0x7f) {
    if ((r >= 48 && r <= 57) || (r >= 97 && r <= 122) || (r >= 65 && r <= 90) || r === 95) return false
    return true
  }
  if (isLetter(r) || /\p{Nd}/u.test(ch)) return false
  return isSpaceRune(r)
}

/** goutils.Uncapitalize: lower-cases the first letter after whitespace. */
function untitle(s: string): string {
  let next = true
  let out = ""
  for (const ch of s) {
    const r = ch.codePointAt(0)!
    if (isSpaceRune(r)) { next = true; out += ch }
    else if (next) { out += String.fromCodePoint(toLowerRune(r)); next = false }
    else out += ch
  }
  return out
}

/** goutils.SwapCase: word-initial lower case becomes title case, other lower upper, upper lower. */
function swapcase(s: string): string {
  let ws = true
  let out = ""
  for (const ch of s) {
    const r = ch.codePointAt(0)!
    if (isUpper(r) || isTitle(r)) { out += String.fromCodePoint(toLowerRune(r)); ws = false }
    else if (isLower(r)) {
      out += String.fromCodePoint(ws ? toTitleRune(r) : toUpperRune(r))
      ws = false
    } else {
      out += ch
      ws = isSpaceRune(r)
    }
  }
  return out
}

const SPACE_BYTE = (b: number) => b === 9 || b === 10 || b === 11 || b === 12 || b === 13 || b === 32 || b === 0x85 || b === 0xa0

/** goutils.DeleteWhiteSpace: byte-wise; removed bytes make the rest read as Latin-1, as in Go. */
function nospace(s: string): string {
  if (s === "") return s
  if (isAscii(s)) return s.replace(/[\t\n\v\f\r ]/g, "")
  const b = Buffer.from(s, "utf8")
  let out = ""
  let removed = false
  for (const c of b) {
    if (SPACE_BYTE(c)) removed = true
    else out += String.fromCharCode(c)
  }
  return removed ? out : s
}

/** goutils.Initials: the first byte of each whitespace-separated word. */
function initials(s: string): string {
  const b = Buffer.from(s, "utf8")
  let out = ""
  let gap = true
  for (const c of b) {
    if (SPACE_BYTE(c)) gap = true
    else if (gap) { out += String.fromCharCode(c); gap = false }
  }
  return out
}

/** goutils.AbbreviateFull on bytes. */
function abbreviateFull(s: string, offset: number, maxWidth: number): string {
  if (s === "") return ""
  if (maxWidth < 4) return ""
  const len = byteLength(s)
  if (len <= maxWidth) return s
  if (offset > len) offset = len
  if (len - offset < maxWidth - 3) offset = len - (maxWidth - 3)
  if (offset <= 4) return byteSlice(s, 0, maxWidth - 3) + "..."
  if (maxWidth < 7) return ""
  if (offset + maxWidth - 3 < len) return "..." + abbreviateFull(byteSlice(s, offset), 0, maxWidth - 3)
  return "..." + byteSlice(s, len - (maxWidth - 3))
}

/** goutils.WrapCustom: wraps at spaces by byte column. */
function wrapCustom(s: string, wrapLength: number, newLine: string, wrapLong: boolean): string {
  if (s === "") return ""
  if (newLine === "") newLine = "\n"
  if (wrapLength < 1) wrapLength = 1
  const b = Buffer.from(s, "utf8")
  const n = b.length
  const out: number[] = []
  const put = (x: Uint8Array) => { for (const c of x) out.push(c) }
  const nl = Buffer.from(newLine, "utf8")
  let offset = 0
  while (n - offset > wrapLength) {
    if (b[offset] === 32) { offset++; continue }
    const end = Math.min(wrapLength + offset + 1, n)
    const seg = b.subarray(offset, end)
    const at = seg.lastIndexOf(32)
    if (at >= 0) {
      put(b.subarray(offset, offset + at))
      put(nl)
      offset = offset + at + 1
    } else if (wrapLong) {
      put(b.subarray(offset, wrapLength + offset))
      put(nl)
      offset += wrapLength
    } else {
      const e = wrapLength + offset
      const idx = b.subarray(e).indexOf(32)
      if (idx === -1) {
        put(b.subarray(offset))
        offset = n
      } else {
        put(b.subarray(offset, idx + e))
        put(nl)
        offset = idx + e + 1
      }
    }
  }
  put(b.subarray(offset))
  return decodeUtf8(Uint8Array.from(out))
}

function trunc(c: bigint, s: string): string {
  const len = BigInt(byteLength(s))
  if (c < 0n && len + c > 0n) return byteSlice(s, Number(len + c))
  if (c >= 0n && len > c) return byteSlice(s, 0, Number(c))
  return s
}

function substr(start: bigint, end: bigint, s: string): string {
  const len = BigInt(byteLength(s))
  const bad = () => { throw new GoError(`runtime error: slice bounds out of range [${start}:${end}]`) }
  if (start < 0n) {
    if (end < 0n || end > len) throw new GoError(end < 0n ? `runtime error: slice bounds out of range [:${end}]` : `runtime error: slice bounds out of range [:${end}] with length ${len}`)
    return byteSlice(s, 0, Number(end))
  }
  if (end < 0n || end > len) {
    if (start > len) throw new GoError(`runtime error: slice bounds out of range [${start}:${len}]`)
    return byteSlice(s, Number(start))
  }
  if (start > end) bad()
  return byteSlice(s, Number(start), Number(end))
}

/** strings.Trim(s, cutset) */
export function trimCutset(s: string, cutset: string, left = true, right = true): string {
  const set = new Set([...cutset])
  const chars = [...s]
  let a = 0
  let b = chars.length
  if (left) while (a < b && set.has(chars[a]!)) a++
  if (right) while (b > a && set.has(chars[b - 1]!)) b--
  return chars.slice(a, b).join("")
}

/** strings.TrimSpace (Unicode white space). */
export function trimSpace(s: string): string {
  return s.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/, "").replace(/[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/, "")
}

/** strings.Split with Go's rules for an empty separator (split into UTF-8 sequences). */
export function split(s: string, sep: string, n = -1): string[] {
  if (n === 0) return []
  if (sep === "") {
    const chars = [...s]
    if (n < 0 || n > chars.length) return chars
    return [...chars.slice(0, n - 1), chars.slice(n - 1).join("")]
  }
  if (n < 0) return s.split(sep)
  const out: string[] = []
  let rest = s
  while (out.length < n - 1) {
    const i = rest.indexOf(sep)
    if (i < 0) break
    out.push(rest.slice(0, i))
    rest = rest.slice(i + sep.length)
  }
  out.push(rest)
  return out
}

function splitMap(parts: string[]): Record<string, unknown> {
  const m: Record<string, unknown> = {}
  parts.forEach((p, i) => { m["_" + i] = p })
  return tag(m, T_STRING_MAP)
}

/** strings.Replace(s, old, new, -1) with Go's empty-old rule. */
export function replaceAll(s: string, old: string, nw: string): string {
  if (old === "") {
    const chars = [...s]
    return nw + chars.map((c) => c + nw).join("")
  }
  return s.split(old).join(nw)
}

function spaces(n: bigint): string {
  if (n < 0n) throw new GoError("strings: negative Repeat count")
  if (n > 1_000_000n) throw new GoError("strings: Repeat count too large for this engine")
  return " ".repeat(Number(n))
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
function randomFrom(chars: string, count: bigint): string {
  if (count < 0n) throw new GoError(`Requested random string length ${count} is less than 0.`)
  let s = ""
  for (let i = 0n; i < count; i++) s += chars[randomInt(chars.length)]
  return s
}

const shuffle = (s: string) => {
  const a = [...s]
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[a[i], a[j]] = [a[j]!, a[i]!]
  }
  return a.join("")
}

function adler32(s: string): number {
  let a = 1, b = 0
  for (const c of Buffer.from(s, "utf8")) {
    a = (a + c) % 65521
    b = (b + a) % 65521
  }
  return (b * 65536 + a) >>> 0
}

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
function b32enc(s: string): string {
  const b = Buffer.from(s, "utf8")
  let out = ""
  let bits = 0, value = 0
  for (const c of b) {
    value = (value << 8) | c
    bits += 8
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31]
  while (out.length % 8 !== 0) out += "="
  return out
}
function b32dec(s: string): string {
  // Go's StdEncoding: strict padding, newlines ignored
  const t = s.replace(/[\r\n]/g, "")
  if (t.length % 8 !== 0) return `illegal base32 data at input byte ${Math.floor(t.length / 8) * 8}`
  const out: number[] = []
  let bits = 0, value = 0
  let padStart = t.indexOf("=")
  for (let i = 0; i < t.length; i++) {
    const ch = t[i]!
    if (ch === "=") {
      if (padStart >= 0 && /[^=]/.test(t.slice(padStart))) return `illegal base32 data at input byte ${padStart}`
      break
    }
    const v = B32.indexOf(ch)
    if (v < 0) return `illegal base32 data at input byte ${i}`
    value = (value << 5) | v
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255)
      bits -= 8
    }
  }
  return decodeUtf8(Uint8Array.from(out))
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/**
 * Go's base64.StdEncoding.DecodeString, quantum by quantum over the UTF-8
 * bytes (CR and LF skipped), so that errors name the byte offset Go names.
 */
function b64dec(s: string): string {
  const src = Buffer.from(s, "utf8")
  const out: number[] = []
  const isNl = (b: number | undefined) => b === 0x0a || b === 0x0d
  const bad = (at: number) => `illegal base64 data at input byte ${at}`
  let si = 0
  for (;;) {
    const q: number[] = []
    let trailing: number | undefined
    while (q.length < 4) {
      if (si === src.length) {
        if (q.length === 0) return decodeUtf8(Uint8Array.from(out))
        return bad(si - q.length)
      }
      const b = src[si++]!
      const v = B64.indexOf(String.fromCharCode(b))
      if (b < 0x80 && v >= 0) {
        q.push(v)
        continue
      }
      if (isNl(b)) continue
      if (b !== 0x3d || q.length < 2) return bad(si - 1)
      if (q.length === 2) {
        // "==": the first "=" is consumed
        while (si < src.length && isNl(src[si])) si++
        if (si === src.length) return bad(src.length)
        if (src[si] !== 0x3d) return bad(si - 1)
        si++
      }
      while (si < src.length && isNl(src[si])) si++
      if (si < src.length) trailing = si
      break
    }
    const n = q.length
    const val = ((q[0] ?? 0) << 18) | ((q[1] ?? 0) << 12) | ((q[2] ?? 0) << 6) | (q[3] ?? 0)
    const bytes = [(val >> 16) & 255, (val >> 8) & 255, val & 255].slice(0, n - 1)
    out.push(...bytes)
    if (trailing !== undefined) return bad(trailing)
    if (n < 4) return decodeUtf8(Uint8Array.from(out))
  }
}

export const stringFuncs: FuncMap = {
  hello: def([], () => "Hello!"),
  abbrev: def([P_INT, P_STRING], (w: bigint, s: string) => (w < 4n ? s : abbreviateFull(s, 0, Number(w)))),
  abbrevboth: def([P_INT, P_INT, P_STRING], (l: bigint, r: bigint, s: string) =>
    r < 4n || (l > 0n && r < 7n) ? s : abbreviateFull(s, Number(l), Number(r))),
  trunc: def([P_INT, P_STRING], trunc),
  trim: str1(trimSpace),
  upper: str1((s) => [...s].map((c) => String.fromCodePoint(toUpperRune(c.codePointAt(0)!))).join("")),
  lower: str1((s) => [...s].map((c) => String.fromCodePoint(toLowerRune(c.codePointAt(0)!))).join("")),
  title: str1(title),
  untitle: str1(untitle),
  substr: def([P_INT, P_INT, P_STRING], substr),
  repeat: def([P_INT, P_STRING], (n: bigint, s: string) => {
    if (n < 0n) throw new GoError("strings: negative Repeat count")
    return s.repeat(Number(n))
  }),
  trimall: def([P_STRING, P_STRING], (a: string, b: string) => trimCutset(b, a)),
  trimAll: def([P_STRING, P_STRING], (a: string, b: string) => trimCutset(b, a)),
  trimSuffix: def([P_STRING, P_STRING], (a: string, b: string) => (a !== "" && b.endsWith(a) ? b.slice(0, b.length - a.length) : b)),
  trimPrefix: def([P_STRING, P_STRING], (a: string, b: string) => (b.startsWith(a) ? b.slice(a.length) : b)),
  nospace: str1(nospace),
  initials: str1(initials),
  randAlphaNum: def([P_INT], (n: bigint) => randomFrom(ALNUM, n)),
  randAlpha: def([P_INT], (n: bigint) => randomFrom(ALNUM.slice(0, 52), n)),
  randAscii: def([P_INT], (n: bigint) => randomFrom(Array.from({ length: 94 }, (_, i) => String.fromCharCode(32 + i)).join(""), n)),
  randNumeric: def([P_INT], (n: bigint) => randomFrom("0123456789", n)),
  swapcase: str1(swapcase),
  shuffle: str1(shuffle),
  wrap: def([P_INT, P_STRING], (l: bigint, s: string) => wrapCustom(s, Number(l), "", false)),
  wrapWith: def([P_INT, P_STRING, P_STRING], (l: bigint, sep: string, s: string) => wrapCustom(s, Number(l), sep, true)),
  contains: def([P_STRING, P_STRING], (sub: string, s: string) => s.includes(sub)),
  hasPrefix: def([P_STRING, P_STRING], (p: string, s: string) => s.startsWith(p)),
  hasSuffix: def([P_STRING, P_STRING], (p: string, s: string) => s.endsWith(p)),
  quote: vdef([], P_ANY, (...a: unknown[]) => a.filter((x) => x !== null && x !== undefined).map((x) => goQuote(strval(x))).join(" ")),
  squote: vdef([], P_ANY, (...a: unknown[]) => a.filter((x) => x !== null && x !== undefined).map((x) => sprintf("'%v'", [x])).join(" ")),
  cat: vdef([], P_ANY, (...a: unknown[]) => {
    const v = a.filter((x) => x !== null && x !== undefined)
    return sprintf(v.map(() => "%v").join(" "), v)
  }),
  indent: def([P_INT, P_STRING], (n: bigint, s: string) => {
    const pad = spaces(n)
    return pad + s.replaceAll("\n", "\n" + pad)
  }),
  nindent: def([P_INT, P_STRING], (n: bigint, s: string) => {
    const pad = spaces(n)
    return "\n" + pad + s.replaceAll("\n", "\n" + pad)
  }),
  snakecase: str1((s) => toLowerWords(s, "_")),
  camelcase: str1(toCamelCase),
  kebabcase: str1((s) => toLowerWords(s, "-")),
  replace: def([P_STRING, P_STRING, P_STRING], (o: string, n: string, s: string) => replaceAll(s, o, n)),
  plural: def([P_STRING, P_STRING, P_INT], (one: string, many: string, n: bigint) => (n === 1n ? one : many)),
  sha1sum: str1((s) => createHash("sha1").update(s, "utf8").digest("hex")),
  sha256sum: str1((s) => createHash("sha256").update(s, "utf8").digest("hex")),
  adler32sum: str1((s) => String(adler32(s))),
  toString: def([P_ANY], strval),
  b64enc: str1((s) => Buffer.from(s, "utf8").toString("base64")),
  b64dec: str1(b64dec),
  b32enc: str1(b32enc),
  b32dec: str1(b32dec),
  split: def([P_STRING, P_STRING], (sep: string, s: string) => splitMap(split(s, sep))),
  splitList: def([P_STRING, P_STRING], (sep: string, s: string) => stringSlice(split(s, sep))),
  splitn: def([P_STRING, P_INT, P_STRING], (sep: string, n: bigint, s: string) => splitMap(split(s, sep, Number(n)))),
  toStrings: def([P_ANY], (v: unknown) => stringSlice([...strslice(v)])),
  join: def([P_STRING, P_ANY], (sep: string, v: unknown) => strslice(v).join(sep)),
  sortAlpha: def([P_ANY], (v: unknown) => {
    if (sliceItems(v) !== undefined && !(v instanceof Uint8Array)) return stringSlice([...strslice(v)].sort(compareStrings))
    return stringSlice([strval(v)])
  }),
  randBytes: def([P_INT], (n: bigint) => randomBytes(Number(n)).toString("base64"), { errors: true }),
}

