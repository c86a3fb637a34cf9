// Go's regexp (RE2 syntax) on JavaScript's engine: a parser reads the Go
// syntax, reports Go's errors for what Go rejects, and writes a JS pattern
// (u flag) for what both read alike. Where JS would read the same text
// differently (., \s, \w, ^/$ in multi-line mode, \A, \z, POSIX classes),
// the translation spells out Go's meaning. (?U) is refused.
import { def, GoError, P_INT, P_STRING, type FuncMap } from "../funcs.ts"
import { stringSlice, T_NIL_STRING_SLICE, tag } from "../values.ts"

class ReError extends GoError {}

const perr = (code: string, expr: string) => new ReError(`error parsing regexp: ${code}: \`${expr}\``)

const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z", alpha: "A-Za-z", ascii: "\\x00-\\x7F", blank: "\\t ", cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9", graph: "!-~", lower: "a-z", print: " -~", punct: "!-\\/:-@\\[-`{-~", space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z", word: "0-9A-Za-z_", xdigit: "0-9A-Fa-f",
}
const PERL: Record<string, [string, boolean]> = {
  d: ["0-9", false], D: ["0-9", true], s: ["\\t\\n\\f\\r ", false], S: ["\\t\\n\\f\\r ", true],
  w: ["0-9A-Za-z_", false], W: ["0-9A-Za-z_", true],
}
/** A Go \\p{Name}: a general category (L, Lu...) or a script (Greek...), as JS spells it; undefined when unknown. */
function unicodeProperty(name: string): string | undefined {
  for (const js of [name, `Script=${name}`]) {
    if (!/^[A-Za-z_=]+$/.test(js)) return undefined
    try {
      new RegExp(`\\p{${js}}`, "u")
      if (js === name && !/^(L|Lu|Ll|Lt|Lm|Lo|M|Mn|Mc|Me|N|Nd|Nl|No|P|Pc|Pd|Ps|Pe|Pi|Pf|Po|S|Sm|Sc|Sk|So|Z|Zs|Zl|Zp|C|Cc|Cf|Cs|Co)$/.test(name)) continue
      return js
    } catch {
      /* try the next spelling */
    }
  }
  return undefined
}

const META = "\\.+*?()|[]{}^$"

interface Flags { i: boolean; m: boolean; s: boolean }

/** Translates a Go regexp to a JS RegExp source (used with the "u" flag); throws Go's parse errors. */
export function translate(expr: string): { source: string; names: string[] } {
  const cps = [...expr]
  let i = 0
  const names: string[] = []
  const peek = (k = 0) => cps[i + k]
  const litEsc = (c: string) => (/[\\^$.*+?()[\]{}|/]/.test(c) ? "\\" + c : c === "\n" ? "\\n" : c)
  const classEsc = (c: string) => (/[\\\]\[^\-]/.test(c) ? "\\" + c : c === "\n" ? "\\n" : c)

  // An escape inside or outside a class: returns [js text, single code point or undefined].
  const escape = (inClass: boolean): [string, string | undefined] => {
    const start = i
    i++ // backslash
    const c = peek()
    if (c === undefined) throw perr("trailing backslash at end of expression", "")
    i++
    if (c >= "1" && c <= "7" && !(peek() !== undefined && peek()! >= "0" && peek()! <= "7")) throw perr("invalid escape sequence", cps.slice(start, i).join(""))
    if (c >= "0" && c <= "7") {
      let o = c
      while (o.length < 3 && peek() !== undefined && peek()! >= "0" && peek()! <= "7") o += cps[i++]
      const ch = String.fromCodePoint(parseInt(o, 8))
      return [inClass ? classEsc(ch) : litEsc(ch), ch]
    }
    if (c === "x") {
      let h = ""
      if (peek() === "{") {
        i++
        while (peek() !== undefined && peek() !== "}") h += cps[i++]
        if (peek() !== "}" || !/^[0-9a-fA-F]+$/.test(h) || parseInt(h, 16) > 0x10ffff) throw perr("invalid escape sequence", cps.slice(start, i + 1).join(""))
        i++
      } else {
        h = (peek() ?? "") + (peek(1) ?? "")
        if (!/^[0-9a-fA-F]{2}$/.test(h)) throw perr("invalid escape sequence", cps.slice(start, Math.min(i + 2, cps.length)).join(""))
        i += 2
      }
      const ch = String.fromCodePoint(parseInt(h, 16))
      return [inClass ? classEsc(ch) : litEsc(ch), ch]
    }
    const simple: Record<string, string> = { a: "\x07", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" }
    if (c in simple) {
      const ch = simple[c]!
      return [c === "n" ? "\\n" : c === "r" ? "\\r" : c === "t" ? "\\t" : c === "f" ? "\\f" : c === "v" ? "\\v" : "\\x07", ch]
    }
    if (c in PERL) {
      const [set, neg] = PERL[c]!
      return [inClass ? (neg ? "" : set) : `[${neg ? "^" : ""}${set}]`, undefined]
    }
    if (c === "p" || c === "P") {
      let name = ""
      if (peek() === "{") {
        i++
        while (peek() !== undefined && peek() !== "}") name += cps[i++]
        if (peek() !== "}") throw perr("invalid character class range", cps.slice(start).join(""))
        i++
      } else {
        if (peek() === undefined) throw perr("invalid character class range", cps.slice(start).join(""))
        name = cps[i++]!
      }
      let neg = c === "P"
      if (name.startsWith("^")) { neg = !neg; name = name.slice(1) }
      if (name === "Any") return [neg ? "" : "\\s\\S", undefined]
      const prop = unicodeProperty(name)
      if (prop === undefined) throw perr("invalid character class range", cps.slice(start, i).join(""))
      return [`\\${neg ? "P" : "p"}{${prop}}`, undefined]
    }
    if (c === "Q") throw new Error("unreachable: \\Q is handled by the caller")
    if (!inClass) {
      if (c === "A") return ["(?<![\\s\\S])", undefined]
      if (c === "z") return ["(?![\\s\\S])", undefined]
      if (c === "b") return ["(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))", undefined]
      if (c === "B") return ["(?:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))", undefined]
    }
    const cp = c.codePointAt(0)!
    if (cp < 0x80 && !/[0-9A-Za-z]/.test(c)) return [inClass ? classEsc(c) : litEsc(c), c]
    throw perr("invalid escape sequence", cps.slice(start, i).join(""))
  }

  const parseClass = (flags: Flags): string => {
    const start = i
    i++ // [
    let neg = false
    if (peek() === "^") { neg = true; i++ }
    let body = ""
    let negParts: string[] = []
    let first = true
    for (;;) {
      const c = peek()
      if (c === undefined) throw perr("missing closing ]", cps.slice(start).join(""))
      if (c === "]" && !first) { i++; break }
      first = false
      if (c === "[" && peek(1) === ":") {
        const rest = cps.slice(i).join("")
        const m = /^\[:(\^?)([a-z]+):\]/.exec(rest)
        if (m) {
          const set = POSIX[m[2]!]
          if (set === undefined) throw perr("invalid character class range", m[0])
          if (m[1]) negParts.push(set)
          else body += set
          i += [...m[0]].length
          continue
        }
      }
      let lo: string | undefined
      let loText: string
      if (c === "\\") {
        const e = escape(true)
        if (e[1] === undefined) {
          const ch = cps[i - 1]!
          if (PERL[ch]?.[1]) negParts.push(PERL[ch]![0])
          else if ((ch === "p" || ch === "P" || cps[i - 1] === "}") && e[0] === "") negParts.push("\\s\\S")
          else body += e[0]
          continue
        }
        lo = e[1]
        loText = e[0]
      } else {
        lo = c
        loText = classEsc(c)
        i++
      }
      if (peek() === "-" && peek(1) !== undefined && peek(1) !== "]") {
        const rs = i - 1
        i++
        let hi: string
        let hiText: string
        if (peek() === "\\") {
          const e = escape(true)
          if (e[1] === undefined) throw perr("invalid character class range", cps.slice(rs, i).join(""))
          hi = e[1]; hiText = e[0]
        } else { hi = cps[i]!; hiText = classEsc(hi); i++ }
        if (hi.codePointAt(0)! < lo.codePointAt(0)!) throw perr("invalid character class range", `${lo}-${hi}`)
        body += `${loText}-${hiText}`
      } else body += loText
    }
    void flags
    const core = body
    if (negParts.length === 0) return `[${neg ? "^" : ""}${core}]`
    // union with negated sets: (?:[core]|[^p1]|...) ; negation of that as a lookahead
    const alts = [core ? `[${core}]` : "", ...negParts.map((p) => `[^${p}]`)].filter(Boolean)
    const union = `(?:${alts.join("|")})`
    return neg ? `(?:(?!${union})[\\s\\S])` : union
  }

  const parseRepeatCount = (): string | undefined => {
    // at "{": returns the JS text for {n}, {n,}, {n,m}, or undefined when it is a literal brace
    const rest = cps.slice(i).join("")
    const m = /^\{(\d+)(,(\d*))?\}/.exec(rest)
    if (!m) return undefined
    const lo = Number(m[1])
    const hi = m[2] === undefined ? lo : m[3] === "" ? -1 : Number(m[3])
    if (lo > 1000 || hi > 1000 || (hi >= 0 && lo > hi)) throw perr("invalid repeat count", m[0])
    i += m[0].length
    return m[0]
  }

  const parseAlt = (flags: Flags, depth: number): string => {
    let out = ""
    let lastAtom = false
    let lastWasRepeat = false
    let lastOpStart = 0
    for (;;) {
      const c = peek()
      if (c === undefined) {
        if (depth > 0) throw perr("missing closing )", expr)
        return out
      }
      if (c === ")") {
        if (depth === 0) throw perr("unexpected )", expr)
        return out
      }
      if (c === "|") {
        i++
        out += "|"
        lastAtom = false
        lastWasRepeat = false
        continue
      }
      if (c === "*" || c === "+" || c === "?" || (c === "{" && /^\{\d+(,\d*)?\}/.test(cps.slice(i).join("")))) {
        const opStart = i
        let op: string
        if (c === "{") op = parseRepeatCount()!
        else { op = c; i++ }
        if (peek() === "?") { op += "?"; i++ }
        if (!lastAtom) throw perr("missing argument to repetition operator", cps.slice(opStart, i).join(""))
        if (lastWasRepeat) throw perr("invalid nested repetition operator", cps.slice(lastOpStart, i).join(""))
        out += op
        lastWasRepeat = true
        lastOpStart = opStart
        continue
      }
      lastWasRepeat = false
      lastAtom = true
      switch (c) {
        case "(": {
          if (peek(1) === "?") {
            const rest = cps.slice(i).join("")
            let m: RegExpExecArray | null
            if ((m = /^\(\?P?<([A-Za-z0-9_]*)>/.exec(rest))) {
              if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(m[1]!) && !/^[0-9A-Za-z_]+$/.test(m[1]!)) throw perr("invalid named capture", m[0])
              if (m[1] === "" || names.includes(m[1]!)) throw perr(m[1] === "" ? "invalid named capture" : "duplicate capture group name", m[0])
              names.push(m[1]!)
              i += m[0].length
              out += `(?<${m[1]}>` + parseAlt(flags, depth + 1) + ")"
              i++
              break
            }
            if ((m = /^\(\?([imsU]*)(?:-([imsU]*))?(:|\))/.exec(rest))) {
              const on = m[1]!, off = m[2] ?? ""
              if (m[2] !== undefined && off === "") throw perr("invalid or unsupported Perl syntax", m[0].slice(0, -1) + m[3])
              if ((on + off).includes("U")) throw new ReError(`regexp: the ungreedy flag (?U) is not supported: \`${expr}\``)
              const nf: Flags = { ...flags }
              for (const f of on) nf[f as "i" | "m" | "s"] = true
              for (const f of off) nf[f as "i" | "m" | "s"] = false
              i += m[0].length
              if (m[3] === ":") {
                out += groupWithFlags(flags, nf, parseAlt(nf, depth + 1))
                i++
              } else {
                // (?flags) applies to the rest of the enclosing group
                out += groupWithFlags(flags, nf, parseAlt(nf, depth))
                lastAtom = false
                return out
              }
              break
            }
            throw perr("invalid or unsupported Perl syntax", rest.slice(0, rest[2] === "P" || rest[2] === "<" ? 4 : 3))
          }
          i++
          out += "(" + parseAlt(flags, depth + 1) + ")"
          i++
          break
        }
        case "[": out += parseClass(flags); break
        case ".": i++; out += flags.s ? "[\\s\\S]" : "[^\\n]"; break
        case "^": i++; out += flags.m ? "(?<![^\\n])" : "(?<![\\s\\S])"; lastAtom = false; break
        case "$": i++; out += flags.m ? "(?![^\\n])" : "(?![\\s\\S])"; lastAtom = false; break
        case "\\": {
          if (peek(1) === "Q") {
            i += 2
            let lit = ""
            while (i < cps.length && !(cps[i] === "\\" && cps[i + 1] === "E")) lit += cps[i++]
            if (i < cps.length) i += 2
            // each quoted character is its own atom: a following + applies to the last one
            out += [...lit].map(litEsc).join("")
            if (!lit) lastAtom = false
            break
          }
          const [js, single] = escape(false)
          if (js.startsWith("(?<![") || js.startsWith("(?![") || js.startsWith("(?:(?<=")) lastAtom = false
          out += single === undefined || js.length > 2 ? js : js
          break
        }
        default:
          i++
          out += litEsc(c)
      }
    }
  }

  const groupWithFlags = (outer: Flags, inner: Flags, body: string): string => {
    // only case-insensitivity needs the engine's help; m and s are spelled out by the translation
    if (outer.i === inner.i) return `(?:${body})`
    return `(?${inner.i ? "i" : "-i"}:${body})`
  }

  const source = parseAlt({ i: false, m: false, s: false }, 0)
  return { source, names }
}

const cache = new Map<string, RegExp>()

/** regexp.Compile: a global, unicode JS RegExp with Go's semantics, or Go's error. */
export function compile(expr: string): RegExp {
  let re = cache.get(expr)
  if (re === undefined) {
    const { source } = translate(expr)
    re = new RegExp(source, "gu")
    if (cache.size > 1000) cache.clear()
    cache.set(expr, re)
  }
  re.lastIndex = 0
  return re
}

const mustCompile = (expr: string): RegExp => {
  try {
    return compile(expr)
  } catch (e) {
    if (e instanceof ReError) throw new GoError(`regexp: Compile(${JSON.stringify(expr).replace(/^"|"$/g, "`")}): ${e.message}`)
    throw e
  }
}

/** FindAllStringIndex with Go's rule: an empty match right after a previous match is skipped. */
function findAll(re: RegExp, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = []
  if (n === 0) return out
  re.lastIndex = 0
  let prevEnd = -1
  while (n < 0 || out.length < n) {
    const m = re.exec(s)
    if (m === null) break
    const start = m.index
    const end = start + m[0].length
    if (end === start) {
      // advance one code point past an empty match
      const cp = s.codePointAt(start)
      re.lastIndex = start + (cp !== undefined && cp > 0xffff ? 2 : 1)
      if (start === prevEnd) continue
      if (start > s.length) break
    }
    out.push(m)
    prevEnd = end
    if (re.lastIndex > s.length) break
  }
  return out
}

/** Go's Regexp.Expand template: $1, ${1}, $name, ${name}, $$. */
function expand(tmpl: string, m: RegExpExecArray): string {
  let out = ""
  for (let i = 0; i < tmpl.length; i++) {
    const c = tmpl[i]
    if (c !== "$") { out += c; continue }
    const rest = tmpl.slice(i + 1)
    if (rest[0] === "$") { out += "$"; i++; continue }
    const mm = /^\{([A-Za-z0-9_]+)\}/.exec(rest) ?? /^([A-Za-z0-9_]+)/.exec(rest)
    if (!mm) { out += "$"; continue }
    i += mm[0].length
    const name = mm[1]!
    let v: string | undefined
    if (/^[0-9]+$/.test(name)) {
      const k = Number(name)
      v = k < m.length ? m[k] : undefined
    } else v = m.groups?.[name]
    out += v ?? ""
  }
  return out
}

function replaceAll(re: RegExp, s: string, repl: string, literal: boolean): string {
  let out = ""
  let last = 0
  for (const m of findAll(re, s, -1)) {
    out += s.slice(last, m.index) + (literal ? repl : expand(repl, m))
    last = m.index + m[0].length
  }
  return out + s.slice(last)
}

function split(expr: string, re: RegExp, s: string, n: number): string[] {
  if (n === 0) return tag([], T_NIL_STRING_SLICE) as string[]
  if (expr.length > 0 && s.length === 0) return [""]
  const out: string[] = []
  let beg = 0
  let end = 0
  for (const m of findAll(re, s, n)) {
    if (n > 0 && out.length === n - 1) break
    end = m.index
    if (m.index + m[0].length !== 0) out.push(s.slice(beg, end))
    beg = m.index + m[0].length
  }
  if (end !== s.length) out.push(s.slice(beg))
  return out
}

const matchStr = (expr: string, s: string) => {
  const re = compile(expr)
  re.lastIndex = 0
  return re.test(s)
}
const findAllStr = (re: RegExp, s: string, n: bigint) => {
  const ms = findAll(re, s, Number(n))
  return ms.length === 0 ? (tag([], T_NIL_STRING_SLICE) as string[]) : stringSlice(ms.map((m) => m[0]))
}
const findStr = (re: RegExp, s: string) => findAll(re, s, 1)[0]?.[0] ?? ""
const splitStr = (expr: string, re: RegExp, s: string, n: bigint) => {
  const r = split(expr, re, s, Number(n))
  return (r as any)[Symbol.for("moor.gotemplate.type")] ? r : stringSlice(r)
}

export const regexFuncs: FuncMap = {
  regexMatch: def([P_STRING, P_STRING], (r: string, s: string) => {
    try { return matchStr(r, s) } catch (e) { if (e instanceof ReError) return false; throw e }
  }),
  mustRegexMatch: def([P_STRING, P_STRING], matchStr, { errors: true }),
  regexFindAll: def([P_STRING, P_STRING, P_INT], (r: string, s: string, n: bigint) => findAllStr(mustCompile(r), s, n)),
  mustRegexFindAll: def([P_STRING, P_STRING, P_INT], (r: string, s: string, n: bigint) => findAllStr(compile(r), s, n), { errors: true }),
  regexFind: def([P_STRING, P_STRING], (r: string, s: string) => findStr(mustCompile(r), s)),
  mustRegexFind: def([P_STRING, P_STRING], (r: string, s: string) => findStr(compile(r), s), { errors: true }),
  regexReplaceAll: def([P_STRING, P_STRING, P_STRING], (r: string, s: string, p: string) => replaceAll(mustCompile(r), s, p, false)),
  mustRegexReplaceAll: def([P_STRING, P_STRING, P_STRING], (r: string, s: string, p: string) => replaceAll(compile(r), s, p, false), { errors: true }),
  regexReplaceAllLiteral: def([P_STRING, P_STRING, P_STRING], (r: string, s: string, p: string) => replaceAll(mustCompile(r), s, p, true)),
  mustRegexReplaceAllLiteral: def([P_STRING, P_STRING, P_STRING], (r: string, s: string, p: string) => replaceAll(compile(r), s, p, true), { errors: true }),
  regexSplit: def([P_STRING, P_STRING, P_INT], (r: string, s: string, n: bigint) => splitStr(r, mustCompile(r), s, n)),
  mustRegexSplit: def([P_STRING, P_STRING, P_INT], (r: string, s: string, n: bigint) => splitStr(r, compile(r), s, n), { errors: true }),
  regexQuoteMeta: def([P_STRING], (s: string) => [...s].map((c) => (META.includes(c) ? "\\" + c : c)).join("")),
}
