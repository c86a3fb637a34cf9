// Go's fmt package over the engine's value model: Sprint, Sprintln and
// Sprintf with Go's verbs, flags, width and precision, Go's formatting of
// maps (sorted keys), slices, nil and floats, and Go's %!verb(type=value)
// complaints for mismatched arguments.
import { canBackquote, formatFloat, isPrint, quote, quoteBytes, quoteRune } from "./strconv.ts"
import {
  decodeUtf8, GoComplex, GoFunc, GoNum, GoObject, isMap, mapType, sliceType, sortedKeys, typeName,
  type TypeDesc,
} from "./values.ts"

interface Flags {
  plus: boolean
  minus: boolean
  sharp: boolean
  space: boolean
  zero: boolean
  plusV: boolean
  sharpV: boolean
  wid: number
  widPresent: boolean
  prec: number
  precPresent: boolean
}

export const noFlags = (): Flags => ({
  plus: false, minus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false,
  wid: 0, widPresent: false, prec: 0, precPresent: false,
})


/** Counts runes (code points) of a string. */
function runeCount(s: string): number {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) { n--; i++ }
  }
  return n
}

/** A formatting buffer with Go's fmt state (flags, width, precision). */
export class Printer {
  buf = ""
  f: Flags = noFlags()
  erroring = false

  pad(s: string): void {
    const f = this.f
    if (!f.widPresent || f.wid === 0) { this.buf += s; return }
    const width = f.wid - runeCount(s)
    if (width <= 0) { this.buf += s; return }
    const padding = (f.zero ? "0" : " ").repeat(width)
    this.buf += f.minus ? s + padding : padding + s
  }

  writePadding(n: number): void {
    if (n > 0) this.buf += (this.f.zero ? "0" : " ").repeat(n)
  }

  badVerb(verb: string, v: unknown): void {
    this.erroring = true
    this.buf += "%!" + verb + "("
    if (v === null || v === undefined) this.buf += "<nil>"
    else {
      // Go keeps the verb's flags (width, precision, padding) for the value inside %!verb(...)
      this.buf += typeName(v) + "="
      this.printArg(v, "v", 0)
    }
    this.buf += ")"
    this.erroring = false
  }

  fmtInteger(u: bigint, isSigned: boolean, base: number, verb: string, upper: boolean): void {
    const f = this.f
    const negative = isSigned && u < 0n
    if (negative) u = -u
    let prec = 0
    if (f.precPresent) {
      prec = f.prec
      if (prec === 0 && u === 0n) {
        const z = f.zero
        f.zero = false
        this.writePadding(f.wid)
        f.zero = z
        return
      }
    } else if (f.zero && f.widPresent) {
      prec = f.wid
      if (negative || f.plus || f.space) prec--
    }
    let digits = u.toString(base)
    if (upper) digits = digits.toUpperCase()
    if (digits.length < prec) digits = "0".repeat(prec - digits.length) + digits
    if (f.sharp) {
      if (base === 2) digits = "0b" + digits
      else if (base === 8) { if (digits[0] !== "0") digits = "0" + digits }
      else if (base === 16) digits = (upper ? "0X" : "0x") + digits
    }
    if (verb === "O") digits = "0o" + digits
    if (negative) digits = "-" + digits
    else if (f.plus) digits = "+" + digits
    else if (f.space) digits = " " + digits
    const z = f.zero
    f.zero = false
    this.pad(digits)
    f.zero = z
  }

  fmtIntegerVerb(u: bigint, isSigned: boolean, verb: string, v: unknown): void {
    switch (verb) {
      case "v":
        if (this.f.sharpV && !isSigned) { this.fmt0x64(u, true); return }
        this.fmtInteger(u, isSigned, 10, verb, false); return
      case "d": this.fmtInteger(u, isSigned, 10, verb, false); return
      case "b": this.fmtInteger(u, isSigned, 2, verb, false); return
      case "o": case "O": this.fmtInteger(u, isSigned, 8, verb, false); return
      case "x": this.fmtInteger(u, isSigned, 16, verb, false); return
      case "X": this.fmtInteger(u, isSigned, 16, verb, true); return
      case "c": this.pad(String.fromCodePoint(validRune(u))); return
      case "q": this.pad(quoteRune(Number(validRuneBig(u)), this.f.plus)); return
      case "U": this.fmtUnicode(u); return
    }
    this.badVerb(verb, v)
  }

  fmt0x64(u: bigint, leading0x: boolean): void {
    const sharp = this.f.sharp
    this.f.sharp = leading0x
    this.fmtInteger(u, false, 16, "v", false)
    this.f.sharp = sharp
  }

  fmtUnicode(u: bigint): void {
    const f = this.f
    u = BigInt.asUintN(64, u)
    let s = u.toString(16).toUpperCase()
    const prec = f.precPresent && f.prec > 4 ? f.prec : 4
    if (s.length < prec) s = "0".repeat(prec - s.length) + s
    s = "U+" + s
    if (f.sharp && u <= 0x10ffffn && isPrint(Number(u))) s += " '" + String.fromCodePoint(Number(u)) + "'"
    const z = f.zero
    f.zero = false
    this.pad(s)
    f.zero = z
  }

  fmtFloat(v: number, size: number, verb: string, prec: number): void {
    const f = this.f
    if (f.precPresent) prec = f.prec
    let num = formatFloat(v, verb, prec, size)
    if (num[0] !== "-" && num[0] !== "+") num = "+" + num
    if (f.space && num[0] === "+" && !f.plus) num = " " + num.slice(1)
    if (num[1] === "I" || num[1] === "N") {
      const z = f.zero
      f.zero = false
      if (num[1] === "N" && !f.space && !f.plus) num = num.slice(1)
      this.pad(num)
      f.zero = z
      return
    }
    if (f.sharp && verb !== "b") {
      let digits = 0
      if (verb === "v" || verb === "g" || verb === "G" || verb === "x") {
        digits = prec
        if (digits === -1) digits = 6
      }
      let tail = ""
      let body = num
      const expAt = verb === "x" || verb === "X" ? body.search(/[pP]/) : body.search(/[eEpP]/)
      if (expAt > 0) { tail = body.slice(expAt); body = body.slice(0, expAt) }
      let hasDot = false
      let sawNonzero = false
      for (let i = 1; i < body.length; i++) {
        const c = body[i]!
        if (c === ".") { hasDot = true; continue }
        if (c !== "0") sawNonzero = true
        if (sawNonzero) digits--
      }
      if (!hasDot) {
        if (body.length === 2 && body[1] === "0") digits--
        body += "."
      }
      while (digits > 0) { body += "0"; digits-- }
      num = body + tail
    }
    if (f.plus || num[0] !== "+") {
      if (f.zero && f.widPresent && f.wid > num.length) {
        this.buf += num[0]
        this.writePadding(f.wid - num.length)
        this.buf += num.slice(1)
        return
      }
      this.pad(num)
      return
    }
    this.pad(num.slice(1))
  }

  fmtFloatVerb(v: number, size: number, verb: string, orig: unknown): void {
    switch (verb) {
      case "v": this.fmtFloat(v, size, "g", -1); return
      case "b": case "g": case "G": case "x": case "X": this.fmtFloat(v, size, verb, -1); return
      case "f": case "e": case "E": this.fmtFloat(v, size, verb, 6); return
      case "F": this.fmtFloat(v, size, "f", 6); return
    }
    this.badVerb(verb, orig)
  }

  truncate(s: string): string {
    const f = this.f
    if (!f.precPresent) return s
    let n = f.prec
    let i = 0
    while (i < s.length) {
      if (n-- <= 0) return s.slice(0, i)
      const c = s.charCodeAt(i)
      i += c >= 0xd800 && c <= 0xdbff ? 2 : 1
    }
    return s
  }

  fmtSx(bytes: Uint8Array, upper: boolean): void {
    const f = this.f
    let length = bytes.length
    if (f.precPresent && f.prec < length) length = f.prec
    let width = 2 * length
    if (width > 0) {
      if (f.space) {
        if (f.sharp) width *= 2
        width += length - 1
      } else if (f.sharp) width += 2
    } else {
      if (f.widPresent) this.writePadding(f.wid)
      return
    }
    if (f.widPresent && f.wid > width && !f.minus) this.writePadding(f.wid - width)
    const x = upper ? "0X" : "0x"
    let s = f.sharp ? x : ""
    for (let i = 0; i < length; i++) {
      if (f.space && i > 0) {
        s += " "
        if (f.sharp) s += x
      }
      const h = bytes[i]!.toString(16).padStart(2, "0")
      s += upper ? h.toUpperCase() : h
    }
    this.buf += s
    if (f.widPresent && f.wid > width && f.minus) this.writePadding(f.wid - width)
  }

  fmtQ(s: string): void {
    const f = this.f
    s = this.truncate(s)
    if (f.sharp && canBackquote(s)) { this.pad("`" + s + "`"); return }
    this.pad(quote(s, f.plus))
  }

  fmtString(s: string, verb: string, v: unknown): void {
    switch (verb) {
      case "v":
        if (this.f.sharpV) this.fmtQ(s)
        else this.pad(this.truncate(s))
        return
      case "s": this.pad(this.truncate(s)); return
      case "x": this.fmtSx(Buffer.from(s, "utf8"), false); return
      case "X": this.fmtSx(Buffer.from(s, "utf8"), true); return
      case "q": this.fmtQ(s); return
    }
    this.badVerb(verb, v)
  }

  fmtBytes(b: Uint8Array, verb: string, typeStr: string): void {
    switch (verb) {
      case "v": case "d":
        if (this.f.sharpV) {
          this.buf += typeStr + "{"
          b.forEach((c, i) => { if (i > 0) this.buf += ", "; this.fmt0x64(BigInt(c), true) })
          this.buf += "}"
        } else {
          this.buf += "["
          b.forEach((c, i) => { if (i > 0) this.buf += " "; this.fmtInteger(BigInt(c), false, 10, verb, false) })
          this.buf += "]"
        }
        return
      case "s": this.pad(this.truncate(Buffer.from(b).toString("utf8"))); return
      case "x": this.fmtSx(b, false); return
      case "X": this.fmtSx(b, true); return
      case "q": {
        const f = this.f
        const s = decodeUtf8(b)
        if (f.sharp && !s.includes("\ufffd") && canBackquote(s)) this.pad("`" + s + "`")
        else this.pad(quoteBytes(b, f.plus))
        return
      }
    }
    this.printSlice(Array.from(b, (c) => new GoNum("uint8", BigInt(c))), verb, 0, { name: typeStr, kind: "slice" })
  }

  /** printArg: a top-level operand. */
  printArg(v: unknown, verb: string, depth: number): void {
    if (v === null || v === undefined) {
      if (verb === "T" || verb === "v") this.pad("<nil>")
      else this.badVerb(verb, v)
      return
    }
    if (verb === "T") { this.pad(this.truncate(typeName(v))); return }
    if (verb === "p") { this.badVerb(verb, v); return }
    this.printValue(v, verb, depth)
  }

  printValue(v: unknown, verb: string, depth: number): void {
    switch (typeof v) {
      case "string": this.fmtString(v, verb, v); return
      case "boolean":
        if (verb === "t" || verb === "v") this.pad(v ? "true" : "false")
        else this.badVerb(verb, v)
        return
      case "number": this.fmtFloatVerb(v, 64, verb, v); return
      case "bigint": this.fmtIntegerVerb(v, true, verb, v); return
      case "undefined":
        if (depth === 0) this.buf += "<invalid reflect.Value>"
        else if (verb === "v") this.buf += "<nil>"
        else this.badVerb(verb, undefined)
        return
    }
    if (v === null) {
      // a nil interface inside a container prints <nil> whatever the verb
      this.buf += this.f.sharpV ? "interface {}(nil)" : "<nil>"
      return
    }
    if (v instanceof GoNum) {
      if (v.named !== undefined && !this.f.sharpV && !this.erroring && "vsxXq".includes(verb)) {
        this.fmtString(v.named.string(v.v as bigint), verb, v)
        return
      }
      if (v.type === "float32") this.fmtFloatVerb(v.v as number, 32, verb, v)
      else this.fmtIntegerVerb(v.v as bigint, v.type[0] === "i", verb, v)
      return
    }
    if (v instanceof GoComplex) {
      if ("vbgGxXfFeE".includes(verb)) {
        const plus = this.f.plus
        this.buf += "("
        this.fmtFloatVerb(v.re, 64, verb, v)
        this.f = { ...this.f, plus: true }
        this.fmtFloatVerb(v.im, 64, verb, v)
        this.f = { ...this.f, plus }
        this.buf += "i)"
      } else this.badVerb(verb, v)
      return
    }
    if (v instanceof Uint8Array) { this.fmtBytes(v, verb, depth === 0 ? "[]byte" : "[]uint8"); return }
    if (v instanceof GoObject) { this.printObject(v, verb, depth); return }
    if (v instanceof GoFunc) {
      // Go prints a func's address; there is none to print here
      if (verb === "v" || verb === "p") this.pad("0x0")
      else if (!this.erroring) this.badVerb(verb, v)
      else this.buf += "0x0"
      return
    }
    if (Array.isArray(v)) { this.printSlice(v, verb, depth, sliceType(v)); return }
    if (isMap(v)) { this.printMap(v, verb, depth, mapType(v)); return }
    this.buf += "?" + typeName(v) + "?"
  }

  printObject(o: GoObject, verb: string, depth: number): void {
    const t = o.type
    if (t.string && !this.f.sharpV && !this.erroring && "vsxXq".includes(verb)) {
      this.fmtString(t.string(o), verb, o)
      return
    }
    if (t.kind === "slice") { this.printSlice(o.v, verb, depth, { name: t.name, kind: "slice" }); return }
    if (t.kind === "map") { this.printMap(o.v, verb, depth, { name: t.name, kind: "map" }); return }
    if (t.kind === "ptr" && depth > 0) { this.buf += "0xc000010000"; return }
    if (t.kind === "ptr") this.buf += "&"
    if (this.f.sharpV) this.buf += t.name.replace(/^\*/, "")
    this.buf += "{"
    const fields = t.fields ?? []
    fields.forEach((name, i) => {
      if (i > 0) this.buf += this.f.sharpV ? ", " : " "
      if (this.f.plusV || this.f.sharpV) this.buf += name + ":"
      this.printValue(o.v[name], verb, depth + 1)
    })
    this.buf += "}"
  }

  printSlice(a: readonly unknown[], verb: string, depth: number, t: TypeDesc): void {
    if (this.f.sharpV) {
      this.buf += t.name
      if (t.nil) { this.buf += "(nil)"; return }
      this.buf += "{"
      a.forEach((e, i) => { if (i > 0) this.buf += ", "; this.printValue(e, verb, depth + 1) })
      this.buf += "}"
      return
    }
    this.buf += "["
    for (let i = 0; i < a.length; i++) {
      if (i > 0) this.buf += " "
      this.printValue(a[i], verb, depth + 1)
    }
    this.buf += "]"
  }

  printMap(m: Record<string, unknown>, verb: string, depth: number, t: TypeDesc): void {
    if (this.f.sharpV) {
      this.buf += t.name
      if (t.nil) { this.buf += "(nil)"; return }
      this.buf += "{"
    } else this.buf += "map["
    const keys = sortedKeys(m)
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) this.buf += this.f.sharpV ? ", " : " "
      this.printValue(keys[i], verb, depth + 1)
      this.buf += ":"
      this.printValue(m[keys[i]!], verb, depth + 1)
    }
    this.buf += this.f.sharpV ? "}" : "]"
  }
}

function validRune(u: bigint): number {
  return Number(validRuneBig(u))
}
function validRuneBig(u: bigint): bigint {
  if (u < 0n || u > 0x10ffffn || (u >= 0xd800n && u <= 0xdfffn)) return 0xfffdn
  return u
}

const isStringArg = (v: unknown) => typeof v === "string"

/** fmt.Sprint: operands are separated by a space when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  if (args.length === 1) {
    const a = args[0]
    if (typeof a === "string") return a
    return sprintValue(a)
  }
  const p = new Printer()
  let prevString = false
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const isStr = isStringArg(a)
    if (i > 0 && !isStr && !prevString) p.buf += " "
    p.printArg(a, "v", 0)
    prevString = isStr
  }
  return p.buf
}

/** fmt.Sprint of a single value (the fast path of printing an action's result). */
export function sprintValue(v: unknown): string {
  switch (typeof v) {
    case "string": return v
    case "bigint": return v.toString()
    case "boolean": return v ? "true" : "false"
    case "number": return formatFloat(v, "g", -1, 64)
  }
  const p = new Printer()
  p.printArg(v, "v", 0)
  return p.buf
}

/** fmt.Sprintln: operands always separated by spaces, newline appended. */
export function sprintln(args: readonly unknown[]): string {
  const p = new Printer()
  for (let i = 0; i < args.length; i++) {
    if (i > 0) p.buf += " "
    p.printArg(args[i], "v", 0)
  }
  return p.buf + "\n"
}

/** Formats one value with a verb and no flags (fmt.Sprintf("%"+verb, v)). */
export function formatValue(v: unknown, verb: string): string {
  const p = new Printer()
  p.printArg(v, verb, 0)
  return p.buf
}
