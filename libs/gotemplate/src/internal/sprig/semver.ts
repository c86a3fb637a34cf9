// Masterminds/semver v3 as sprig uses it: loose version parsing (v prefix,
// missing minor/patch), and constraint checks (^ ~ x-ranges, hyphen
// ranges, ||, prereleases matching only prerelease-bearing constraints).
import { def, GoError, P_STRING, type FuncDef, type ParamType } from "../funcs.ts"
import { GoNum, GoObject, type ObjType } from "../values.ts"

/** A parsed semantic version. */
export interface SemVer {
  readonly major: bigint
  readonly minor: bigint
  readonly patch: bigint
  readonly pre: string
  readonly metadata: string
  readonly original: string
}

const VERSION = /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/
const MAX_U64 = (1n << 64n) - 1n

const onlyDigits = (s: string) => /^[0-9]*$/.test(s)
const onlyAllowed = (s: string) => /^[0-9A-Za-z-]*$/.test(s)

function segment(s: string): bigint {
  const v = BigInt(s)
  if (v > MAX_U64) throw new GoError(`Error parsing version segment: strconv.ParseUint: parsing "${s}": value out of range`)
  return v
}

/** semver.NewVersion */
export function parseVersion(v: string): SemVer {
  const m = VERSION.exec(v)
  if (!m) throw new GoError("Invalid Semantic Version")
  const pre = m[5] ?? ""
  const metadata = m[8] ?? ""
  const sv: SemVer = {
    major: segment(m[1]!),
    minor: m[2] ? segment(m[2].slice(1)) : 0n,
    patch: m[3] ? segment(m[3].slice(1)) : 0n,
    pre, metadata, original: v,
  }
  if (pre) {
    for (const p of pre.split(".")) {
      if (onlyDigits(p)) { if (p.length > 1 && p[0] === "0") throw new GoError("Version segment starts with 0") }
      else if (!onlyAllowed(p)) throw new GoError("Invalid Prerelease string")
    }
  }
  if (metadata) for (const p of metadata.split(".")) if (!onlyAllowed(p)) throw new GoError("Invalid Metadata string")
  return sv
}

export const versionString = (v: SemVer): string =>
  `${v.major}.${v.minor}.${v.patch}${v.pre ? "-" + v.pre : ""}${v.metadata ? "+" + v.metadata : ""}`

function comparePart(s: string, o: string): number {
  if (s === o) return 0
  if (s === "") return -1
  if (o === "") return 1
  const sn = /^[0-9]+$/.test(s) && BigInt(s) <= MAX_U64
  const on = /^[0-9]+$/.test(o) && BigInt(o) <= MAX_U64
  if (!sn && !on) return s > o ? 1 : -1
  if (!on) return -1
  if (!sn) return 1
  return BigInt(s) > BigInt(o) ? 1 : -1
}

function comparePre(a: string, b: string): number {
  const x = a.split("."), y = b.split(".")
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = comparePart(x[i] ?? "", y[i] ?? "")
    if (d !== 0) return d
  }
  return 0
}

/** Version.Compare */
export function compareVersions(a: SemVer, b: SemVer): number {
  for (const k of ["major", "minor", "patch"] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1
  if (a.pre === "" && b.pre === "") return 0
  if (a.pre === "") return 1
  if (b.pre === "") return -1
  return comparePre(a.pre, b.pre)
}

// ---- constraints ----

const CV = String.raw`v?([0-9|xX*]+)(\.[0-9|xX*]+)?(\.[0-9|xX*]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?`
const OPS = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`
const SP = String.raw`[\t\n\f\r ]`
const CONSTRAINT = new RegExp(`^${SP}*(${OPS})${SP}*(${CV})${SP}*$`)
const RANGE = new RegExp(`${SP}*(${CV})${SP}+-${SP}+(${CV})${SP}*`, "g")
const FIND = new RegExp(`(${OPS})${SP}*(${CV})`, "g")
const VALID = new RegExp(`^(${SP}*(${OPS})${SP}*(${CV})${SP}*)((?:${SP}+|,${SP}*)(${OPS})${SP}*(${CV})${SP}*)*$`)

interface Constraint {
  con: SemVer
  orig: string
  op: string
  dirty: boolean
  minorDirty: boolean
  patchDirty: boolean
}

const isX = (s: string) => s === "x" || s === "X" || s === "*"

function parseConstraint(c: string): Constraint {
  if (c.length === 0) return { con: parseVersion("0.0.0"), orig: c, op: "", dirty: true, minorDirty: false, patchDirty: false }
  const m = CONSTRAINT.exec(c)
  if (!m) throw new GoError(`improper constraint: ${c}`)
  const [, op, orig, m3 = "", m4 = "", m5 = "", m6 = ""] = m as unknown as string[]
  let ver = orig!
  let dirty = false, minorDirty = false, patchDirty = false
  if (isX(m3) || m3 === "") { ver = `0.0.0${m6}`; dirty = true }
  else if (isX(m4.replace(/^\./, "")) || m4 === "") { minorDirty = dirty = true; ver = `${m3}.0.0${m6}` }
  else if (isX(m5.replace(/^\./, "")) || m5 === "") { patchDirty = dirty = true; ver = `${m3}${m4}.0${m6}` }
  let con: SemVer
  try {
    con = parseVersion(ver)
  } catch {
    throw new GoError("constraint Parser Error")
  }
  return { con, orig: orig!, op: op!, dirty, minorDirty, patchDirty }
}

/** semver.NewConstraint: OR-groups of AND-ed constraints. */
export function parseConstraints(text: string): Constraint[][] {
  const rewritten = text.replace(RANGE, (_all, a: string, ...rest: unknown[]) => `>= ${a}, <= ${rest[9] as string}`)
  return rewritten.split("||").map((part) => {
    if (!VALID.test(part)) throw new GoError(`improper constraint: ${part}`)
    const found = part.match(FIND) ?? [part]
    return found.map(parseConstraint)
  })
}

function check(v: SemVer, c: Constraint): boolean {
  const preBlocked = v.pre !== "" && c.con.pre === ""
  const cmp = () => compareVersions(v, c.con)
  const tilde = () => {
    if (preBlocked || cmp() < 0) return false
    if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true
    if (v.major !== c.con.major) return false
    return !(v.minor !== c.con.minor && !c.minorDirty)
  }
  switch (c.op) {
    case "": case "=":
      if (preBlocked) return false
      return c.dirty ? tilde() : cmp() === 0
    case "!=":
      if (c.dirty) {
        if (preBlocked) return false
        if (c.con.major !== v.major) return true
        if (c.con.minor !== v.minor && !c.minorDirty) return true
        if (c.minorDirty) return false
        if (c.con.patch !== v.patch && !c.patchDirty) return true
        if (c.patchDirty) return (v.pre !== "" || c.con.pre !== "") && comparePre(v.pre, c.con.pre) !== 0
      }
      return cmp() !== 0
    case ">":
      if (preBlocked) return false
      if (!c.dirty) return cmp() === 1
      if (v.major > c.con.major) return true
      if (v.major < c.con.major || c.minorDirty) return false
      if (c.patchDirty) return v.minor > c.con.minor
      return cmp() === 1
    case "<": return !preBlocked && cmp() < 0
    case ">=": case "=>": return !preBlocked && cmp() >= 0
    case "<=": case "=<":
      if (preBlocked) return false
      if (!c.dirty) return cmp() <= 0
      if (v.major > c.con.major) return false
      return !(v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty)
    case "~": case "~>": return tilde()
    case "^":
      if (preBlocked || cmp() < 0) return false
      if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major
      if (v.major > 0n) return false
      if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor
      if (v.minor > 0n) return false
      return c.con.patch === v.patch
  }
  return false
}

/** Constraints.Check */
export function satisfies(cs: Constraint[][], v: SemVer): boolean {
  return cs.some((and) => and.every((c) => check(v, c)))
}

// ---- the *semver.Version object ----

const sv = (o: GoObject) => o.v as SemVer
const U64 = (n: bigint) => new GoNum("uint64", n)
const P_VERSION: ParamType = { name: "*semver.Version", constKind: "other", nilOk: true, accepts: (v) => v instanceof GoObject && v.type === VersionPtr, zero: () => null }
const m0 = (fn: (v: SemVer) => unknown): FuncDef => ({ params: [], fn: (o: GoObject) => fn(sv(o)) })
const bump = (v: SemVer, next: Partial<SemVer>): GoObject => {
  const n = { ...v, ...next }
  return new GoObject(VersionValue, { ...n, original: (v.original.startsWith("v") ? "v" : "") + versionString(n) })
}

const methods: Record<string, FuncDef> = {
  Major: m0((v) => U64(v.major)),
  Minor: m0((v) => U64(v.minor)),
  Patch: m0((v) => U64(v.patch)),
  Prerelease: m0((v) => v.pre),
  Metadata: m0((v) => v.metadata),
  String: m0(versionString),
  IncPatch: m0((v) => (v.pre !== "" ? bump(v, { pre: "", metadata: "" }) : bump(v, { pre: "", metadata: "", patch: v.patch + 1n }))),
  IncMinor: m0((v) => bump(v, { pre: "", metadata: "", patch: 0n, minor: v.minor + 1n })),
  IncMajor: m0((v) => bump(v, { pre: "", metadata: "", patch: 0n, minor: 0n, major: v.major + 1n })),
}
const ptrMethods: Record<string, FuncDef> = {
  ...methods,
  Original: m0((v) => v.original),
  LessThan: def([P_VERSION], (o: GoObject, x: GoObject) => compareVersions(sv(o), sv(x)) < 0),
  GreaterThan: def([P_VERSION], (o: GoObject, x: GoObject) => compareVersions(sv(o), sv(x)) > 0),
  Equal: def([P_VERSION], (o: GoObject, x: GoObject) => compareVersions(sv(o), sv(x)) === 0),
  Compare: def([P_VERSION], (o: GoObject, x: GoObject) => BigInt(compareVersions(sv(o), sv(x)))),
}

/** *semver.Version */
export const VersionPtr: ObjType = {
  name: "*semver.Version", kind: "ptr", fields: [],
  methods: ptrMethods, string: (o) => versionString(sv(o)), json: (o) => versionString(sv(o)),
}
/** semver.Version (what IncMajor and friends return) */
export const VersionValue: ObjType = {
  name: "semver.Version", kind: "struct", fields: [],
  methods, string: (o) => versionString(sv(o)), json: (o) => versionString(sv(o)),
}

export const semverFuncs: Record<string, FuncDef> = {
  semver: def([P_STRING], (s: string) => new GoObject(VersionPtr, parseVersion(s)), { errors: true }),
  semverCompare: def([P_STRING, P_STRING], (c: string, v: string) => satisfies(parseConstraints(c), parseVersion(v)), { errors: true }),
}
