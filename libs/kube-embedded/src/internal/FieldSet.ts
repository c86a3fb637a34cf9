// Sets of field paths, as server-side apply tracks ownership: a tree whose edges are
// path elements in the fieldsV1 spelling ("f:name", "k:{...}", "v:...", "i:0") and whose
// nodes may be members themselves ("." in fieldsV1).

/** A node of a field set. */
export class FieldSet {
  member = false
  children: Map<string, FieldSet> | undefined

  child(pe: string): FieldSet {
    if (this.children === undefined) this.children = new Map()
    let c = this.children.get(pe)
    if (c === undefined) {
      c = new FieldSet()
      this.children.set(pe, c)
    }
    return c
  }

  get(pe: string): FieldSet | undefined {
    return this.children?.get(pe)
  }

  /** Insert a path (list of elements) as a member. */
  insert(path: ReadonlyArray<string>): void {
    let n: FieldSet = this
    for (const pe of path) n = n.child(pe)
    n.member = true
  }

  has(path: ReadonlyArray<string>): boolean {
    let n: FieldSet | undefined = this
    for (const pe of path) {
      n = n.get(pe)
      if (n === undefined) return false
    }
    return n.member
  }

  empty(): boolean {
    if (this.member) return false
    if (this.children === undefined) return true
    for (const c of this.children.values()) if (!c.empty()) return false
    return true
  }

  /** Every member path, depth first in element order. */
  paths(prefix: string[] = [], out: string[][] = []): string[][] {
    if (this.member && prefix.length > 0) out.push([...prefix])
    if (this.children !== undefined) {
      for (const k of [...this.children.keys()].sort()) {
        prefix.push(k)
        this.children.get(k)!.paths(prefix, out)
        prefix.pop()
      }
    }
    return out
  }

  clone(): FieldSet {
    const n = new FieldSet()
    n.member = this.member
    if (this.children !== undefined) {
      n.children = new Map()
      for (const [k, c] of this.children) n.children.set(k, c.clone())
    }
    return n
  }

  union(o: FieldSet): FieldSet {
    const n = this.clone()
    n.addAll(o)
    return n
  }

  private addAll(o: FieldSet): void {
    if (o.member) this.member = true
    if (o.children !== undefined) for (const [k, c] of o.children) this.child(k).addAll(c)
  }

  /** Members of this set that are not members of `o`. */
  difference(o: FieldSet | undefined): FieldSet {
    const n = new FieldSet()
    n.member = this.member && !(o?.member ?? false)
    if (this.children !== undefined) {
      for (const [k, c] of this.children) {
        const d = c.difference(o?.get(k))
        if (!d.empty()) n.child(k).replaceWith(d)
      }
    }
    return n
  }

  /** Members of this set that are members of `o` too. */
  intersection(o: FieldSet | undefined): FieldSet {
    const n = new FieldSet()
    if (o === undefined) return n
    n.member = this.member && o.member
    if (this.children !== undefined) {
      for (const [k, c] of this.children) {
        const oc = o.get(k)
        if (oc === undefined) continue
        const d = c.intersection(oc)
        if (!d.empty()) n.child(k).replaceWith(d)
      }
    }
    return n
  }

  /** Remove every path that is a member of `o` or lies beneath one of its members. */
  recursiveDifference(o: FieldSet | undefined): FieldSet {
    if (o === undefined) return this.clone()
    const n = new FieldSet()
    if (o.member) return n
    n.member = this.member
    if (this.children !== undefined) {
      for (const [k, c] of this.children) {
        const d = c.recursiveDifference(o.get(k))
        if (!d.empty()) n.child(k).replaceWith(d)
      }
    }
    return n
  }

  private replaceWith(o: FieldSet): void {
    this.member = o.member
    this.children = o.children
  }

  /** The fieldsV1 JSON form. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    if (this.member && this.children !== undefined && this.children.size > 0) out["."] = {}
    if (this.children !== undefined) {
      for (const k of [...this.children.keys()].sort()) {
        const c = this.children.get(k)!
        if (!c.empty()) out[k] = c.toFieldsV1()
      }
    }
    return out
  }

  /** Parse the fieldsV1 JSON form. */
  static fromFieldsV1(v: unknown): FieldSet {
    const n = new FieldSet()
    if (v === null || typeof v !== "object") return n
    for (const [k, c] of Object.entries(v as Record<string, unknown>)) {
      if (k === ".") {
        n.member = true
        continue
      }
      const child = FieldSet.fromFieldsV1(c)
      if (c === null || typeof c !== "object" || Object.keys(c as object).length === 0) child.member = true
      n.child(k).replaceWith(child)
    }
    return n
  }
}

/** A path as server-side apply prints it in conflicts: `.spec.containers[name="a"].image`. */
export const pathString = (path: ReadonlyArray<string>): string => {
  let s = ""
  for (const pe of path) {
    const tag = pe.slice(0, 2)
    const rest = pe.slice(2)
    if (tag === "f:") s += `.${rest}`
    else if (tag === "k:") {
      const o = JSON.parse(rest) as Record<string, unknown>
      s += `[${Object.keys(o)
        .sort()
        .map((k) => `${k}=${JSON.stringify(o[k])}`)
        .join(",")}]`
    } else if (tag === "v:") s += `[=${rest}]`
    else if (tag === "i:") s += `[${rest}]`
    else s += pe
  }
  return s
}

/** The fieldsV1 element of a list item identified by its key fields. */
export const keyElement = (keys: ReadonlyArray<string>, item: Record<string, unknown>): string => {
  const sorted = [...keys].sort()
  let s = "k:{"
  sorted.forEach((k, i) => {
    if (i > 0) s += ","
    s += `${JSON.stringify(k)}:${JSON.stringify(item[k])}`
  })
  return `${s}}`
}
