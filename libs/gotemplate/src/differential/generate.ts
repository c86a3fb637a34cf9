// Property-based cases: random data and random templates over it (random
// pipelines of builtins, sprig and Helm functions with mostly well-typed,
// sometimes ill-typed arguments; control flow; variables; definitions).
// Half the cases are strict: well-typed throughout, so that most of them
// render and their output, not only their error, is compared.
// Seeded, so a failing case can be reproduced from its seed and index.
import type { Case } from "./run.ts"

/** mulberry32: a small seeded PRNG. */
function rng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
  const chance = (p: number) => next() < p
  return { next, int, pick, chance }
}
type R = ReturnType<typeof rng>

const WORDS = ["a", "b", "foo", "Bar", "hello world", "x-y_z", "", " pad ", "1", "0", "-3", "2.5", "true", "no", "null", "é", "a:b", "#c",
  "multi\nline", "tab\tsep", "CamelCase", "snake_case", "UPPER", "1.2.3", "v1.21.0", "https://h/p?q=1", "a,b,c", "key=val", "{{x}}", "'q'", "\"dq\"", "a sentence long enough that toYaml has to fold it somewhere past column eighty, twice over"]
const KEYS = ["a", "b", "c", "name", "list", "map", "n", "s", "x", "y", "enabled", "items", "image", "Tag", "k-1", "10", "2"]

/** Random typed-JSON data (see testing/typed.ts). */
function genData(r: R, depth: number): unknown {
  const roll = r.int(depth > 2 ? 7 : 10)
  switch (roll) {
    case 0: return r.pick(WORDS)
    case 1: return r.pick([0, 1, -1, 2, 3, 10, 42, 100, 1e6, 1e21, 2.5, -0.5, 0.1, 1e-7, 123456789, 3.14159])
    case 2: return r.chance(0.5)
    case 3: return null
    case 4: return { $int: String(r.pick([0, 1, 2, 5, -3, 100])) }
    case 5: return r.pick(WORDS)
    case 6: return r.pick([{ $int64: "7" }, { $strings: ["q", "r"] }, { $strmap: { k: "v" } }, { $ints: [1, 2] }, { $float32: 0.5 }])
    case 7: case 8: {
      const m: Record<string, unknown> = {}
      for (let i = r.int(5); i > 0; i--) m[r.pick(KEYS)] = genData(r, depth + 1)
      return m
    }
    default: {
      const l: unknown[] = []
      for (let i = r.int(5); i > 0; i--) l.push(genData(r, depth + 1))
      return l
    }
  }
}

/** Paths by the kind of value they hold, so that arguments are mostly well-typed. */
interface Typed { s: string[]; n: string[]; l: string[]; m: string[]; b: string[] }

function kindOfData(v: unknown): keyof Typed | undefined {
  if (typeof v === "string") return "s"
  if (typeof v === "number") return "n"
  if (typeof v === "boolean") return "b"
  if (Array.isArray(v)) return "l"
  if (v !== null && typeof v === "object" && !Object.keys(v).some((k) => k.startsWith("$"))) return "m"
  return undefined
}

/** Field paths (".a.b") that exist in the data, for operands; `iterable` collects those that are not integers. */
function paths(d: unknown, prefix: string, out: string[], iterable: string[], depth = 0, typed?: Typed): string[] {
  if (d !== null && typeof d === "object" && !Array.isArray(d) && !Object.keys(d).some((k) => k.startsWith("$")) && depth < 4) {
    for (const [k, v] of Object.entries(d)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) continue
      const p = `${prefix}.${k}`
      out.push(p)
      const kind = kindOfData(v)
      if (typed && kind) typed[kind].push(p)
      // Go 1.22 ranges over integers; the Debian oracle's Go 1.19 does not, so ranges never meet one
      const isInt = v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).some((x) => /^\$u?int/.test(x))
      if (!isInt) iterable.push(p)
      paths(v, p, out, iterable, depth + 1, typed)
    }
  }
  return out
}

type Kind = "s" | "i" | "n" | "a" | "l" | "m" | "b" | "f"

// name, parameter kinds (a trailing "*" kind repeats)
const FUNCS: [string, Kind[]][] = [
  ["print", ["a", "a"]], ["printf", ["s", "a"]], ["println", ["a"]], ["len", ["a"]], ["index", ["a", "a"]], ["not", ["a"]],
  ["and", ["a", "a"]], ["or", ["a", "a"]], ["eq", ["a", "a"]], ["ne", ["a", "a"]], ["lt", ["a", "a"]], ["ge", ["a", "a"]],
  ["html", ["a"]], ["js", ["a"]], ["urlquery", ["a"]],
  ["upper", ["s"]], ["lower", ["s"]], ["title", ["s"]], ["trim", ["s"]], ["quote", ["a"]], ["squote", ["a"]], ["trunc", ["i", "s"]],
  ["substr", ["i", "i", "s"]], ["replace", ["s", "s", "s"]], ["contains", ["s", "s"]], ["hasPrefix", ["s", "s"]], ["indent", ["i", "s"]],
  ["nindent", ["i", "s"]], ["repeat", ["i", "s"]], ["cat", ["a", "a"]], ["b64enc", ["s"]], ["b64dec", ["s"]], ["sha256sum", ["s"]],
  ["trimSuffix", ["s", "s"]], ["trimPrefix", ["s", "s"]], ["snakecase", ["s"]], ["camelcase", ["s"]], ["kebabcase", ["s"]],
  ["splitList", ["s", "s"]], ["join", ["s", "a"]], ["toString", ["a"]], ["toStrings", ["a"]], ["abbrev", ["i", "s"]], ["nospace", ["s"]],
  ["initials", ["s"]], ["wrap", ["i", "s"]], ["plural", ["s", "s", "i"]], ["swapcase", ["s"]], ["untitle", ["s"]], ["adler32sum", ["s"]],
  ["atoi", ["s"]], ["int", ["a"]], ["int64", ["a"]], ["float64", ["a"]], ["add", ["n", "n"]], ["sub", ["n", "n"]], ["mul", ["n", "n"]],
  ["div", ["n", "n"]], ["mod", ["n", "n"]], ["add1", ["n"]], ["max", ["n", "n"]], ["min", ["n", "n"]], ["addf", ["n", "n"]], ["mulf", ["n", "n"]],
  ["divf", ["n", "n"]], ["subf", ["n", "n"]], ["ceil", ["n"]], ["floor", ["n"]], ["round", ["n", "i"]], ["until", ["i"]], ["seq", ["i"]],
  ["default", ["a", "a"]], ["empty", ["a"]], ["coalesce", ["a", "a"]], ["ternary", ["a", "a", "b"]], ["toJson", ["a"]], ["toPrettyJson", ["a"]],
  ["toRawJson", ["a"]], ["fromJson", ["s"]], ["typeOf", ["a"]], ["kindOf", ["a"]], ["deepEqual", ["a", "a"]], ["compact", ["l"]],
  ["list", ["a", "a"]], ["first", ["l"]], ["last", ["l"]], ["rest", ["l"]], ["initial", ["l"]], ["reverse", ["l"]], ["uniq", ["l"]],
  ["append", ["l", "a"]], ["prepend", ["l", "a"]], ["has", ["a", "l"]], ["without", ["l", "a"]], ["sortAlpha", ["a"]], ["concat", ["l", "l"]],
  ["slice", ["l", "i"]], ["chunk", ["i", "l"]], ["dict", ["s", "a"]], ["get", ["m", "s"]], ["hasKey", ["m", "s"]], ["pick", ["m", "s"]],
  ["omit", ["m", "s"]], ["merge", ["m", "m"]], ["mergeOverwrite", ["m", "m"]], ["deepCopy", ["a"]], ["dig", ["s", "a", "m"]],
  ["pluck", ["s", "m"]], ["regexMatch", ["s", "s"]], ["regexFind", ["s", "s"]], ["regexReplaceAll", ["s", "s", "s"]], ["regexSplit", ["s", "s", "i"]],
  ["semverCompare", ["s", "s"]], ["base", ["s"]], ["dir", ["s"]], ["ext", ["s"]], ["clean", ["s"]], ["urlquery", ["s"]],
  ["toYaml", ["a"]], ["fromYaml", ["s"]], ["fromYamlArray", ["s"]], ["toToml", ["a"]], ["fromJsonArray", ["s"]], ["required", ["s", "a"]],
  ["tpl", ["s", "m"]], ["include", ["s", "a"]], ["b32enc", ["s"]], ["squote", ["a"]], ["htmlDate", ["i"]], ["duration", ["a"]],
  ["durationRound", ["s"]], ["toDecimal", ["a"]], ["maxf", ["n", "n"]], ["minf", ["n", "n"]], ["split", ["s", "s"]], ["regexFindAll", ["s", "s", "i"]],
  ["kindIs", ["s", "a"]], ["typeIs", ["s", "a"]], ["all", ["a", "a"]], ["any", ["a", "a"]], ["fail", ["s"]],
]

/** What each function returns, so that a pipeline's next stage mostly accepts it. */
const RETURNS: Record<string, Kind> = {}
for (const n of ["print", "printf", "println", "html", "js", "urlquery", "upper", "lower", "title", "trim", "quote", "squote", "trunc", "substr",
  "replace", "indent", "nindent", "repeat", "cat", "b64enc", "b64dec", "sha256sum", "trimSuffix", "trimPrefix", "snakecase", "camelcase",
  "kebabcase", "join", "toString", "abbrev", "nospace", "initials", "wrap", "plural", "swapcase", "untitle", "adler32sum", "toJson",
  "toPrettyJson", "toRawJson", "typeOf", "kindOf", "regexFind", "regexReplaceAll", "base", "dir", "ext", "clean", "toYaml", "toToml", "tpl",
  "include", "b32enc", "htmlDate", "duration", "durationRound", "seq"]) RETURNS[n] = "s"
for (const n of ["len", "atoi", "int"]) RETURNS[n] = "i"
for (const n of ["int64", "float64", "add", "sub", "mul", "div", "mod", "add1", "max", "min", "addf", "mulf", "divf", "subf", "ceil", "floor", "round", "maxf", "minf", "toDecimal"]) RETURNS[n] = "n"
for (const n of ["not", "and", "or", "eq", "ne", "lt", "ge", "contains", "hasPrefix", "empty", "deepEqual", "has", "hasKey", "regexMatch", "semverCompare", "kindIs", "typeIs", "all", "any"]) RETURNS[n] = "b"
for (const n of ["splitList", "toStrings", "until", "compact", "list", "rest", "initial", "reverse", "uniq", "append", "prepend", "without", "sortAlpha", "concat", "chunk", "pluck", "regexSplit", "regexFindAll", "fromYamlArray", "fromJsonArray"]) RETURNS[n] = "l"
for (const n of ["dict", "pick", "omit", "merge", "mergeOverwrite", "fromJson", "fromYaml", "split"]) RETURNS[n] = "m"

const accepts = (param: Kind, got: Kind) => param === "a" || param === "n" || got === "a" || param === got || (param === "i" && got === "i")
const acceptsStrict = (param: Kind, got: Kind) => param === "a" || param === got || (param === "n" && got === "i")

/** Functions a strict case leaves out (they fail on most inputs), and stricter parameters for the rest. */
const STRICT_SKIP = new Set(["fail", "required", "index", "div", "mod", "divf", "fromJson", "fromJsonArray", "slice", "chunk", "dig", "duration", "durationRound", "htmlDate"])
const STRICT_PARAMS = new Map<string, Kind[]>([["len", ["s"]], ["eq", ["s", "s"]], ["ne", ["s", "s"]], ["lt", ["i", "i"]], ["ge", ["i", "i"]], ["join", ["s", "l"]], ["sortAlpha", ["l"]]])

const REGEXES = ["[a-z]+", "^a", "b$", "\\d+", "(x|y)", ".", "a*", "(?i)foo", "[[:upper:]]", "\\s", "o+"]
const CONSTRAINTS = [">=1.0", "^1.2", "~1.21", "<2", "1.x", ">= 1.19-0", "!=1.2.3", "*"]
const TPLS = ["{{ .a }}", "{{ upper .s }}", "{{ . }}", "x{{ .b }}y", "{{ .missing.x }}", "{{ bad"]
const STRICT_TPLS = ["{{ .a }}", "{{ . }}", "x{{ .b }}y", "{{ toYaml . }}"]

class Gen {
  readonly r: R
  readonly paths: string[]
  readonly iterable: string[]
  readonly typed: Typed
  vars: string[] = ["$"]
  depth = 0
  defines: string[] = []
  readonly strict: boolean
  constructor(r: R, paths: string[], iterable: string[], typed: Typed, strict: boolean) {
    this.strict = strict
    this.r = r
    this.paths = paths
    this.iterable = iterable
    this.typed = typed
  }

  /** A path holding a value of kind k, else a literal of that kind. */
  typedField(k: keyof Typed, literal: () => string): string {
    const ps = this.typed[k]
    return ps.length > 0 && (this.strict || this.r.chance(0.9)) ? (this.scoped > 0 ? "$" : "") + this.r.pick(ps) : literal()
  }

  str(): string {
    const r = this.r
    const w = r.chance(0.15) ? r.pick(REGEXES.concat(CONSTRAINTS)) : r.pick(WORDS)
    return JSON.stringify(w).replace(/\\u([0-9a-f]{4})/g, (_m, h) => String.fromCharCode(parseInt(h, 16)))
  }

  operand(kind: Kind): string {
    const r = this.r
    if (this.depth < 3 && r.chance(0.25)) return "(" + (kind === "a" ? this.pipeline(kind) : this.callReturning(kind)) + ")"
    if (this.strict) {
      switch (kind) {
        case "s": return r.chance(0.6) ? this.str() : this.typedField("s", () => this.str())
        case "i": return r.chance(0.8) ? String(r.pick([1, 2, 3, 5, 10, 63])) : `(len ${this.typedField("s", () => this.str())})`
        case "n": return r.chance(0.6) ? r.pick(["1", "2", "-3", "2.5", "1e3", "0.1", "7"]) : this.typedField("n", () => "3")
        case "b": return r.chance(0.6) ? r.pick(["true", "false"]) : this.typedField("b", () => "true")
        case "l": return r.chance(0.4) ? `(list ${this.operand("a")} ${this.operand("a")})` : this.typedField("l", () => "(list 1 2)")
      }
    }
    switch (kind) {
      case "s": return r.chance(0.65) ? this.str() : r.chance(0.9) ? this.typedField("s", () => this.str()) : this.field()
      case "i": return r.chance(0.75) ? String(r.pick([0, 1, 2, 3, 5, -1, 10, 63])) : r.chance(0.9) ? `(len ${this.typedField("s", () => this.str())})` : this.field()
      case "n": return r.chance(0.5) ? r.pick(["1", "2", "0", "-3", "2.5", "1e3", "0.1", "7", "\"4\""]) : r.chance(0.9) ? this.typedField("n", () => "3") : this.field()
      case "b": return r.chance(0.6) ? r.pick(["true", "false"]) : r.chance(0.9) ? this.typedField("b", () => "true") : this.field()
      case "l": return r.chance(0.4) ? `(list ${this.operand("a")} ${this.operand("a")})` : r.chance(0.8) ? this.typedField("l", () => "(list 1 2)") : `(splitList "," "a,b,a")`
      // a fresh dict of scalars: merging into shared data could make a cycle, which Go cannot print
      case "m": return `(dict "a" ${r.pick(["1", "\"x\"", "nil", "(list 1)", "true"])} "b" 2)`
      case "f": return this.field()
      default:
        switch (r.int(7)) {
          case 0: return this.str()
          case 1: return r.pick(["0", "1", "-2", "3.5", "1e6", "true", "false", r.chance(0.2) ? "nil" : "0", "'a'"])
          case 2: case 3: return this.field()
          case 4: return r.pick(this.vars) + (r.chance(0.3) ? this.pathSuffix() : "")
          case 5: return "."
          default: return this.field()
        }
    }
  }

  pathSuffix(): string {
    return this.r.chance(0.5) && this.paths.length > 0 ? this.r.pick(this.paths) : "." + this.r.pick(KEYS.filter((k) => /^[a-z]/i.test(k)))
  }

  /** Inside with/range dot is something else: fields are then mostly taken from $. */
  scoped = 0

  field(): string {
    const r = this.r
    const root = this.scoped > 0 && (this.strict || r.chance(0.85)) ? "$" : ""
    if (this.paths.length > 0 && (this.strict || r.chance(0.8))) return root + r.pick(this.paths)
    return "." + r.pick(["missing", "a", "x", "n"]) + (r.chance(0.3) ? ".deeper" : "")
  }

  /** A call; when piped, `input` is the kind of the value arriving as the last argument. */
  call(kind: Kind, piped: boolean, input: Kind = "a"): string {
    const r = this.r
    let name: string, params: Kind[]
    const unwanted = (n: string, ps: Kind[]): boolean =>
      ((n === "fromYaml" || n === "fromYamlArray") && piped) ||
      (this.depth > 1 && (n === "tpl" || n === "include")) ||
      (n === "fail" && r.chance(0.8)) ||
      (n === "include" && this.defines.length === 0 && r.chance(0.8)) ||
      (this.strict && (STRICT_SKIP.has(n) || n === "include" && this.defines.length === 0 || piped && !acceptsStrict(ps[ps.length - 1]!, input))) ||
      (piped && !accepts(ps[ps.length - 1]!, input) && r.chance(0.9))
    let tries = 0
    do {
      ;[name, params] = r.pick(FUNCS)
      if (this.strict) params = STRICT_PARAMS.get(name) ?? params
    } while (unwanted(name, params) && ++tries < 50)
    this.lastKind = RETURNS[name] ?? "a"
    this.depth++
    const n = piped ? params.length - 1 : params.length
    const args: string[] = []
    for (let i = 0; i < n; i++) {
      const k = params[i]!
      if (name === "regexMatch" || name === "regexFind" || name === "regexReplaceAll" || name === "regexSplit" || name === "regexFindAll") {
        args.push(i === 0 ? JSON.stringify(r.pick(REGEXES)) : this.operand(k))
      } else if (name === "semverCompare") args.push(i === 0 ? JSON.stringify(r.pick(CONSTRAINTS)) : JSON.stringify(r.pick(["1.2.3", "v1.21.4", "2.0.0-rc.1", "0.9"])))
      else if (name === "tpl" && i === 0) args.push(JSON.stringify(r.pick(this.strict ? STRICT_TPLS : TPLS)))
      else if (name === "include" && i === 0) args.push(JSON.stringify(this.defines.length > 0 && r.chance(0.95) ? r.pick(this.defines) : "nope"))
      else if ((name === "merge" || name === "mergeOverwrite") && i === 1) args.push(r.chance(0.5) ? this.field() : this.operand("m"))
      else if (name === "printf" && i === 0) args.push(JSON.stringify(r.pick(["%v", "%s", "%d", "%q", "%5.2f", "%x", "%v-%v", "%T", "%+v", "%05d", "%t"])))
      else if (name === "fromJson" || name === "fromJsonArray")
        args.push(r.chance(0.6) ? JSON.stringify(r.pick(["{\"a\": 1}", "a: [1, 2]", "- x\n- y", "[1,2]", "bad: [", "k: yes", "{}"])) : this.operand(k))
      // YAML inputs stay well-formed (or a known malformed one): yaml.v2's parse-error wording is not reproduced in general
      else if (name === "fromYaml" || name === "fromYamlArray")
        args.push(JSON.stringify(r.pick(["{\"a\": 1}", "a: [1, 2]", "- x\n- y", "[1,2]", "bad: [", "k: yes", "{}", "a:\n  b: c", "n: 0x10", "- 1.5\n- ~", "x"])))
      else args.push(this.operand(k))
    }
    if (!this.strict && r.chance(0.02)) args.push(this.operand("a")) // sometimes one too many
    this.depth--
    void kind
    return [name, ...args].join(" ")
  }

  lastKind: Kind = "a"

  /** A call whose result has the wanted kind (mostly). */
  callReturning(kind: Kind): string {
    const r = this.r
    const want = kind === "i" ? ["i"] : kind === "n" ? ["n", "i"] : [kind]
    const names = FUNCS.filter(([n]) => want.includes(RETURNS[n] ?? "a") && n !== "tpl" && n !== "include" && n !== "fail" && !(this.strict && STRICT_SKIP.has(n)))
    if (names.length === 0 || (!this.strict && r.chance(0.1))) return this.call(kind, false)
    const [name, defaults] = r.pick(names)
    const params = this.strict ? STRICT_PARAMS.get(name) ?? defaults : defaults
    this.depth++
    const args = params.map((k, i) => (name === "printf" && i === 0 ? JSON.stringify(r.pick(["%v", "%s", "%d"])) : this.operand(k)))
    this.depth--
    return [name, ...args].join(" ")
  }

  pipeline(kind: Kind = "a"): string {
    const r = this.r
    this.lastKind = kind
    const first = r.chance(0.6) ? this.call(kind, false) : this.operand(kind)
    const stages = [first]
    for (let i = r.int(this.depth > 1 ? 2 : 4); i > 0; i--) stages.push(this.call(kind, true, this.lastKind))
    return stages.join(" | ")
  }

  action(): string {
    const r = this.r
    const open = r.chance(0.2) ? "{{- " : "{{ "
    const close = r.chance(0.2) ? " -}}" : " }}"
    if (r.chance(0.15)) {
      const v = "$v" + this.vars.length
      this.vars.push(v)
      return `${open}${v} := ${this.pipeline()}${close}`
    }
    if (r.chance(0.05) && this.vars.length > 1) return `${open}${r.pick(this.vars.slice(1))} = ${this.pipeline()}${close}`
    return `${open}${this.pipeline()}${close}`
  }

  body(n: number, inRange = false): string {
    const r = this.r
    let out = ""
    for (let i = 0; i < n; i++) {
      const roll = r.int(10)
      if (roll < 2) out += r.pick(["text ", "\n", "  ", "a: ", "- ", "\n  "])
      else if (roll < 6 || this.depth > 2) out += this.action()
      else if (inRange && roll === 6 && r.chance(0.3)) out += r.pick(["{{ break }}", "{{ continue }}"])
      else out += this.block(inRange)
    }
    return out
  }

  block(inRange: boolean): string {
    const r = this.r
    const saved = this.vars.length
    this.depth++
    let out: string
    switch (r.int(3)) {
      case 0:
        out = `{{ if ${this.pipeline()} }}${this.body(2, inRange)}${r.chance(0.3) ? `{{ else if ${this.pipeline()} }}${this.body(1, inRange)}` : ""}${r.chance(0.5) ? `{{ else }}${this.body(1, inRange)}` : ""}{{ end }}`
        break
      case 1: {
        const p = this.pipeline()
        this.scoped++
        const b = this.body(2, inRange)
        this.scoped--
        out = `{{ with ${p} }}${b}${r.chance(0.4) ? `{{ else }}${this.body(1, inRange)}` : ""}{{ end }}`
        break
      }
      default: {
        const decl = r.chance(0.5) ? (r.chance(0.5) ? "$i, $e := " : "$e := ") : ""
        const lists = this.strict ? [...this.typed.l, ...this.typed.m].map((p) => "$" + p) : this.iterable
        const list = r.chance(0.5) && lists.length > 0 ? r.pick(lists) : r.pick(["(until 3)", "(list 1 \"a\" nil)", "$", "(dict \"b\" 1 \"a\" 2)", "(splitList \"/\" \"x/y\")"])
        if (decl) this.vars.push("$e", ...(decl.startsWith("$i") ? ["$i"] : []))
        this.scoped++
        const b = this.body(2, true)
        this.scoped--
        out = `{{ range ${decl}${list} }}${b}${r.chance(0.3) ? `{{ else }}${this.body(1, inRange)}` : ""}{{ end }}`
      }
    }
    this.depth--
    this.vars.length = saved
    return out
  }
}

/** `count` random cases from `seed`. */
export function generate(seed: number, count: number): Case[] {
  const cases: Case[] = []
  for (let i = 0; i < count; i++) {
    const r = rng(seed * 1_000_003 + i)
    const base = genData(r, 0)
    const top = base !== null && typeof base === "object" && !Array.isArray(base) && !Object.keys(base).some((k) => k.startsWith("$")) ? base : { v: base }
    const d = { ...top, a: genData(r, 1), s: r.pick(WORDS), n: r.pick([0, 1, 3, 2.5]), l: [r.pick(WORDS), 2, null] }
    const iterable: string[] = []
    const typed: Typed = { s: [], n: [], l: [], m: [], b: [] }
    const strict = r.chance(0.5)
    const g = new Gen(r, paths(d, "", [], iterable, 0, typed), iterable, typed, strict)
    const files: [string, string][] = []
    if (r.chance(0.3)) {
      g.defines.push("helper")
      files.push(["_helpers.tpl", `{{- define "helper" -}}${g.body(2)}{{- end -}}`])
    }
    const main = g.body(1 + r.int(4))
    const mk = strict ? r.pick([undefined, "zero"] as const) : r.pick([undefined, undefined, undefined, "zero", "zero", "error"] as const)
    cases.push({
      name: `gen:${seed}:${i}`,
      t: files.length > 0 ? [["main", main], ...files] : main,
      d,
      ...(mk ? { mk } : {}),
    })
  }
  return cases
}
