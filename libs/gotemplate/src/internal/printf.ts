// Go's fmt.Sprintf: the format string's verbs, flags, width, precision and
// argument indexes, with Go's %!verb complaints; values are printed by Printer.
import { noFlags, Printer } from "./fmt.ts"
import { GoNum, typeName } from "./values.ts"

function parseNum(s: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end]
  let num = 0
  let isnum = false
  let i = start
  for (; i < end && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57; i++) {
    if (num > 1e6 || num < -1e6) return [0, false, end]
    num = num * 10 + s.charCodeAt(i) - 48
    isnum = true
  }
  return [num, isnum, i]
}

function intFromArg(a: readonly unknown[], argNum: number): [number, boolean, number] {
  let num = 0
  let isInt = false
  let newArgNum = argNum
  if (argNum < a.length) {
    const v = a[argNum]
    if (typeof v === "bigint") { num = Number(v); isInt = BigInt.asIntN(64, v) === v }
    else if (v instanceof GoNum && v.type !== "float32") {
      const n = v.v as bigint
      if (n >= -(1n << 63n) && n < 1n << 63n) { num = Number(n); isInt = true }
    }
    newArgNum = argNum + 1
    if (num > 1e6 || num < -1e6) { num = 0; isInt = false }
  }
  return [num, isInt, newArgNum]
}

/** fmt.Sprintf with Go's verbs, flags, argument indexes and error annotations. */
export function sprintf(format: string, a: readonly unknown[]): string {
  const p = new Printer()
  const end = format.length
  let argNum = 0
  let afterIndex = false
  let reordered = false
  let goodArgNum = true
  const argNumber = (argNum: number, i: number): [number, number, boolean] => {
    if (i >= end || format[i] !== "[") return [argNum, i, false]
    reordered = true
    // parseArgNumber
    let index = 0, wid = 1, ok = false
    if (end - i >= 3) {
      for (let j = i + 1; j < end; j++) {
        if (format[j] === "]") {
          const [n, isnum, newi] = parseNum(format, i + 1, j)
          if (!isnum || newi !== j) { index = 0; wid = j - i + 1; ok = false }
          else { index = n - 1; wid = j - i + 1; ok = true }
          break
        }
      }
    }
    if (ok && index >= 0 && index < a.length) return [index, i + wid, true]
    goodArgNum = false
    return [argNum, i + wid, ok]
  }
  let i = 0
  while (i < end) {
    goodArgNum = true
    const lasti = i
    while (i < end && format.charCodeAt(i) !== 37) i++
    if (i > lasti) p.buf += format.slice(lasti, i)
    if (i >= end) break
    i++
    const f = noFlags()
    p.f = f
    let handled = false
    for (; i < end; i++) {
      const c = format[i]!
      if (c === "#") f.sharp = true
      else if (c === "0") f.zero = !f.minus
      else if (c === "+") f.plus = true
      else if (c === "-") { f.minus = true; f.zero = false }
      else if (c === " ") f.space = true
      else {
        if (c >= "a" && c <= "z" && argNum < a.length) {
          if (c === "v") {
            f.sharpV = f.sharp; f.sharp = false
            f.plusV = f.plus; f.plus = false
          }
          p.printArg(a[argNum], c, 0)
          argNum++
          i++
          handled = true
        }
        break
      }
    }
    if (handled) continue
    ;[argNum, i, afterIndex] = argNumber(argNum, i)
    if (i < end && format[i] === "*") {
      i++
      ;[f.wid, f.widPresent, argNum] = intFromArg(a, argNum)
      if (!f.widPresent) p.buf += "%!(BADWIDTH)"
      if (f.wid < 0) { f.wid = -f.wid; f.minus = true; f.zero = false }
      afterIndex = false
    } else {
      ;[f.wid, f.widPresent, i] = parseNum(format, i, end)
      if (afterIndex && f.widPresent) goodArgNum = false
    }
    if (i + 1 < end && format[i] === ".") {
      i++
      if (afterIndex) goodArgNum = false
      ;[argNum, i, afterIndex] = argNumber(argNum, i)
      if (i < end && format[i] === "*") {
        i++
        ;[f.prec, f.precPresent, argNum] = intFromArg(a, argNum)
        if (f.prec < 0) { f.prec = 0; f.precPresent = false }
        if (!f.precPresent) p.buf += "%!(BADPREC)"
        afterIndex = false
      } else {
        ;[f.prec, f.precPresent, i] = parseNum(format, i, end)
        if (!f.precPresent) { f.prec = 0; f.precPresent = true }
      }
    }
    if (!afterIndex) [argNum, i, afterIndex] = argNumber(argNum, i)
    if (i >= end) { p.buf += "%!(NOVERB)"; break }
    const cp = format.codePointAt(i)!
    const verb = String.fromCodePoint(cp)
    i += verb.length
    if (verb === "%") p.buf += "%"
    else if (!goodArgNum) p.buf += "%!" + verb + "(BADINDEX)"
    else if (argNum >= a.length) p.buf += "%!" + verb + "(MISSING)"
    else {
      if (verb === "v") {
        f.sharpV = f.sharp; f.sharp = false
        f.plusV = f.plus; f.plus = false
      }
      p.printArg(a[argNum], verb, 0)
      argNum++
    }
  }
  if (!reordered && argNum < a.length) {
    p.f = noFlags()
    p.buf += "%!(EXTRA "
    for (let k = argNum; k < a.length; k++) {
      if (k > argNum) p.buf += ", "
      const arg = a[k]
      if (arg === null || arg === undefined) p.buf += "<nil>"
      else {
        p.buf += typeName(arg) + "="
        p.printArg(arg, "v", 0)
      }
    }
    p.buf += ")"
  }
  return p.buf
}
