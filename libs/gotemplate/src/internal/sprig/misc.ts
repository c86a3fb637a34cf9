// sprig's paths, URLs, UUIDs, fail and the environment functions.
import { randomUUID } from "node:crypto"
import { def, GoError, P_MAP, P_STRING, type FuncMap } from "../funcs.ts"
import { kindOf } from "../values.ts"

/** path.Clean: lexical normalisation of a slash-separated path. */
export function clean(p: string): string {
  if (p === "") return "."
  const rooted = p[0] === "/"
  const out: string[] = []
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop()
      else if (!rooted) out.push("..")
      continue
    }
    out.push(seg)
  }
  const s = (rooted ? "/" : "") + out.join("/")
  return s === "" ? "." : s
}

/** path.Base */
export function base(p: string): string {
  if (p === "") return "."
  p = p.replace(/\/+$/, "")
  if (p === "") return "/"
  const i = p.lastIndexOf("/")
  return i >= 0 ? p.slice(i + 1) : p
}

/** path.Dir */
export function dir(p: string): string {
  const i = p.lastIndexOf("/")
  return clean(p.slice(0, i + 1))
}

/** path.Ext */
export function ext(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== "/"; i--) if (p[i] === ".") return p.slice(i)
  return ""
}

// ---- URLs (net/url) ----

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/

function unescape(s: string, mode: "path" | "fragment" | "host" | "user"): string {
  if (!s.includes("%")) return s
  const bytes: number[] = []
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "%") {
      const h = s.slice(i + 1, i + 3)
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new GoError(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`)
      bytes.push(parseInt(h, 16))
      i += 2
    } else for (const b of Buffer.from(s[i]!, "utf8")) bytes.push(b)
  }
  void mode
  return Buffer.from(bytes).toString("utf8")
}

interface Url { scheme: string; opaque: string; user: string | undefined; host: string; path: string; rawQuery: string; fragment: string }

/** url.Parse (the parts sprig's urlParse reads). */
export function parseUrl(raw: string): Url {
  const u: Url = { scheme: "", opaque: "", user: undefined, host: "", path: "", rawQuery: "", fragment: "" }
  let rest = raw
  const hash = rest.indexOf("#")
  if (hash >= 0) {
    u.fragment = unescape(rest.slice(hash + 1), "fragment")
    rest = rest.slice(0, hash)
  }
  if (/[\x00-\x1f\x7f]/.test(rest)) throw new GoError(`parse ${JSON.stringify(raw)}: net/url: invalid control character in URL`)
  const m = SCHEME.exec(rest)
  if (m) {
    u.scheme = m[1]!.toLowerCase()
    rest = rest.slice(m[0].length)
  } else if (rest.startsWith(":")) throw new GoError(`parse ${JSON.stringify(raw)}: missing protocol scheme`)
  const q = rest.indexOf("?")
  if (q >= 0) {
    u.rawQuery = rest.slice(q + 1)
    rest = rest.slice(0, q)
  }
  if (!rest.startsWith("/") && u.scheme !== "") {
    u.opaque = rest
    return u
  }
  if (rest.startsWith("//") && (u.scheme !== "" || !rest.startsWith("///"))) {
    let auth = rest.slice(2)
    const slash = auth.indexOf("/")
    rest = slash >= 0 ? auth.slice(slash) : ""
    if (slash >= 0) auth = auth.slice(0, slash)
    const at = auth.lastIndexOf("@")
    if (at >= 0) {
      u.user = auth.slice(0, at)
      auth = auth.slice(at + 1)
    }
    u.host = unescape(auth, "host")
  }
  u.path = unescape(rest, "path")
  return u
}

const hostname = (host: string) => {
  if (host.startsWith("[")) {
    const i = host.indexOf("]")
    return i >= 0 ? host.slice(1, i) : host
  }
  const c = host.lastIndexOf(":")
  return c >= 0 && /^:\d*$/.test(host.slice(c)) ? host.slice(0, c) : host
}

const shouldEscapePath = (c: string) => !/[A-Za-z0-9\-_.~$&+,/:;=@!'()*]/.test(c)
const esc = (s: string, keep: (c: string) => boolean) =>
  [...s].map((c) => (keep(c) ? c : [...Buffer.from(c, "utf8")].map((b) => "%" + b.toString(16).toUpperCase().padStart(2, "0")).join(""))).join("")

function urlString(u: Url): string {
  let s = ""
  if (u.scheme !== "") s += u.scheme + ":"
  if (u.opaque !== "") s += u.opaque
  else {
    if (u.scheme !== "" || u.host !== "" || u.user !== undefined) {
      if (u.host !== "" || u.path !== "" || u.user !== undefined) s += "//"
      if (u.user !== undefined) s += u.user + "@"
      if (u.host !== "") s += esc(u.host, (c) => !/[ "<>`{}|\\^%]/.test(c) || c === ":")
    }
    const p = esc(u.path, (c) => !shouldEscapePath(c))
    if (p !== "" && p[0] !== "/" && u.host !== "") s += "/"
    if (s === "") {
      const seg = p.split("/")[0]!
      if (seg.includes(":")) s += "./"
    }
    s += p
  }
  if (u.rawQuery !== "") s += "?" + u.rawQuery
  if (u.fragment !== "") s += "#" + esc(u.fragment, (c) => /[A-Za-z0-9\-_.~$&+,/:;=@!'()*?]/.test(c))
  return s
}

function dictString(d: Record<string, unknown>, key: string): string {
  if (!Object.hasOwn(d, key)) return ""
  const v = d[key]
  if (typeof v !== "string") {
    if (v === null) throw new GoError("runtime error: invalid memory address or nil pointer dereference")
    throw new GoError(`unable to parse ${key} key, must be of type string, but ${kindOf(v)} found`)
  }
  return v
}

export const miscFuncs: FuncMap = {
  base: def([P_STRING], base),
  dir: def([P_STRING], dir),
  clean: def([P_STRING], clean),
  ext: def([P_STRING], ext),
  isAbs: def([P_STRING], (p: string) => p.startsWith("/")),
  osBase: def([P_STRING], base),
  osClean: def([P_STRING], clean),
  osDir: def([P_STRING], dir),
  osExt: def([P_STRING], ext),
  osIsAbs: def([P_STRING], (p: string) => p.startsWith("/")),
  urlParse: def([P_STRING], (v: string) => {
    let u: Url
    try {
      u = parseUrl(v)
    } catch (e) {
      throw new GoError(`unable to parse url: ${(e as Error).message}`)
    }
    return {
      scheme: u.scheme, host: u.host, hostname: hostname(u.host), path: u.path, query: u.rawQuery,
      opaque: u.opaque, fragment: u.fragment, userinfo: u.user ?? "",
    }
  }),
  urlJoin: def([P_MAP], (d: Record<string, unknown>) => {
    const userinfo = dictString(d, "userinfo")
    return urlString({
      scheme: dictString(d, "scheme"), host: dictString(d, "host"), path: dictString(d, "path"),
      rawQuery: dictString(d, "query"), opaque: dictString(d, "opaque"), fragment: dictString(d, "fragment"),
      user: userinfo === "" ? undefined : userinfo,
    })
  }),
  uuidv4: def([], () => randomUUID()),
  fail: def([P_STRING], (msg: string) => { throw new GoError(msg) }, { errors: true }),
  getHostByName: def([P_STRING], () => { throw new GoError("getHostByName is not available: templates render without network lookups") }),
}
