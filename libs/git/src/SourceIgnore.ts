// .sourceignore: gitignore-syntax exclusions for artifacts, as Flux applies
// them: its default exclusions (unless spec.ignore is set, which replaces
// them), then `.sourceignore` files found in the tree (deeper files later),
// then spec.ignore; the last matching pattern wins. A pattern that matches a
// directory matches everything under it; an excluded directory is not walked,
// so (as in git) a file under it cannot be re-included.

/** Flux's default exclusions (VCS files, binaries and archives, CI and tool configs). */
export const defaultExcludes = [
  ".git/",
  ".gitignore",
  ".gitmodules",
  ".gitattributes",
  "*.jpg",
  "*.jpeg",
  "*.gif",
  "*.png",
  "*.wmv",
  "*.flv",
  "*.tar.gz",
  "*.zip",
  ".github/",
  ".circleci/",
  ".travis.yml",
  ".gitlab-ci.yml",
  "appveyor.yml",
  ".drone.yml",
  "cloudbuild.yaml",
  "codeship-services.yml",
  "codeship-steps.yml",
  "**/.goreleaser.yml",
  "**/.sops.yaml",
  "**/.flux.yaml",
].join("\n")

/** The name of the in-repository ignore file. */
export const sourceIgnoreFile = ".sourceignore"

/** One compiled pattern. `domain` is the directory (relative, "" for the root) it applies under. */
export interface IgnorePattern {
  readonly domain: string
  readonly negate: boolean
  readonly dirOnly: boolean
  readonly source: string
  readonly re: RegExp
}

const escapeRe = (c: string) => c.replace(/[.+^${}()|[\]\\*?]/g, "\\$&")

/** One path segment of a glob as a regular expression source. */
const segment = (seg: string): string => {
  let out = ""
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!
    if (c === "\\" && i + 1 < seg.length) out += escapeRe(seg[++i]!)
    else if (c === "*") {
      while (seg[i + 1] === "*") i++
      out += "[^/]*"
    } else if (c === "?") out += "[^/]"
    else if (c === "[") {
      const end = seg.indexOf("]", i + 2)
      if (end < 0) {
        out += "\\["
        continue
      }
      let body = seg.slice(i + 1, end)
      let neg = ""
      if (body.startsWith("!") || body.startsWith("^")) {
        neg = "^"
        body = body.slice(1)
      }
      out += `[${neg}${body.replace(/\\/g, "\\\\").replace(/\]/g, "\\]")}]`
      i = end
    } else out += escapeRe(c)
  }
  return out
}

/** Compiles one gitignore line; undefined for blanks and comments. */
export const compilePattern = (line: string, domain = ""): IgnorePattern | undefined => {
  let p = line.replace(/\r$/, "")
  // trailing spaces are ignored unless escaped
  p = p.replace(/(?<!\\)\s+$/, "").replace(/\\ $/, " ")
  if (p === "" || p.startsWith("#")) return undefined
  let negate = false
  if (p.startsWith("!")) {
    negate = true
    p = p.slice(1)
  } else if (p.startsWith("\\!") || p.startsWith("\\#")) p = p.slice(1)
  let dirOnly = false
  if (p.endsWith("/")) {
    dirOnly = true
    p = p.replace(/\/+$/, "")
  }
  if (p === "") return undefined
  const anchored = p.includes("/")
  p = p.replace(/^\/+/, "")
  const segs = p.split("/")
  let re = ""
  segs.forEach((s, i) => {
    const last = i === segs.length - 1
    if (s === "**") re += last ? ".*" : "(?:.*/)?"
    else re += segment(s) + (last ? "" : "/")
  })
  const source = anchored ? `^${re}$` : `^(?:.*/)?${re}$`
  return { domain: domain.replace(/^\/+|\/+$/g, ""), negate, dirOnly, source: line, re: new RegExp(source) }
}

/** Compiles gitignore text (one pattern a line) for the directory `domain`. */
export const compilePatterns = (text: string, domain = ""): IgnorePattern[] =>
  text.split("\n").flatMap((l) => compilePattern(l, domain) ?? [])

/** Whether one pattern matches `path` (relative to the root) or one of its parent directories. */
const matches = (p: IgnorePattern, path: string, isDir: boolean): boolean => {
  let rel = path
  if (p.domain !== "") {
    if (!path.startsWith(p.domain + "/")) return false
    rel = path.slice(p.domain.length + 1)
  }
  if ((!p.dirOnly || isDir) && p.re.test(rel)) return true
  for (let i = rel.lastIndexOf("/"); i > 0; i = rel.lastIndexOf("/", i - 1)) if (p.re.test(rel.slice(0, i))) return true
  return false
}

/**
 * Decides which paths are excluded. Build it with `IgnoreMatcher.forSpec`,
 * then add each `.sourceignore` while walking the tree top-down.
 */
export class IgnoreMatcher {
  readonly #base: IgnorePattern[]
  readonly #files: IgnorePattern[] = []
  readonly #spec: IgnorePattern[]

  constructor(base: IgnorePattern[], spec: IgnorePattern[] = []) {
    this.#base = base
    this.#spec = spec
  }

  /** Flux's rules for a spec: defaults unless `specIgnore` is set, then `specIgnore` last. */
  static forSpec(specIgnore?: string): IgnoreMatcher {
    const set = specIgnore !== undefined && specIgnore.trim() !== ""
    return new IgnoreMatcher(set ? compilePatterns(".git/") : compilePatterns(defaultExcludes), set ? compilePatterns(specIgnore) : [])
  }

  /** Adds the patterns of a `.sourceignore` found in directory `dir` ("" for the root). */
  addFile(dir: string, text: string): void {
    this.#files.push(...compilePatterns(text, dir))
  }

  /** True when `path` (slash-separated, relative, no leading slash) is excluded. */
  ignores(path: string, isDir: boolean): boolean {
    let out = false
    for (const list of [this.#base, this.#files, this.#spec])
      for (const p of list) if (matches(p, path, isDir)) out = !p.negate
    return out
  }
}
