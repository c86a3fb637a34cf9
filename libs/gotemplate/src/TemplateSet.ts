// A set of associated templates (Go's *template.Template "common"): parse
// files once, then execute any of them many times with different data.
import { isEmptyTree } from "./internal/ast.ts"
import { builtins } from "./internal/builtins.ts"
import { Budget, defaultLimits, execute, TemplateError, type Engine, type Limits, type MissingKey } from "./internal/exec.ts"
import type { FuncDef, FuncMap } from "./internal/funcs.ts"
import { parseTemplate, ParseError, type Tree } from "./internal/parser.ts"

export interface TemplateSetOptions {
  /** Template functions (default: none beyond Go's builtins; see helmFuncs / sprigFuncs). */
  readonly funcs?: FuncMap
  /** Go's missingkey option: "default" (same as "invalid"), "zero" or "error". */
  readonly missingKey?: MissingKey
  readonly limits?: Partial<Limits>
  /** Action delimiters (default {{ and }}). */
  readonly delims?: readonly [string, string]
  /** Name of the root template, used in Go's "no template associated" error (default "gotpl", as Helm). */
  readonly name?: string
}

/**
 * Associated templates sharing functions and options. `parse` adds a file
 * (and the templates it defines); `execute` renders one by name.
 */
export class TemplateSet implements Engine {
  readonly name: string
  readonly missingKey: MissingKey
  readonly limits: Limits
  readonly funcs: FuncMap
  readonly delims: readonly [string, string]
  readonly #trees: Map<string, Tree>
  readonly #parent: TemplateSet | undefined

  constructor(options: TemplateSetOptions = {}, parent?: TemplateSet) {
    this.name = options.name ?? parent?.name ?? "gotpl"
    this.missingKey = options.missingKey ?? parent?.missingKey ?? "default"
    this.limits = { ...defaultLimits, ...parent?.limits, ...options.limits }
    this.funcs = options.funcs ?? parent?.funcs ?? {}
    this.delims = options.delims ?? parent?.delims ?? ["{{", "}}"]
    this.#trees = new Map()
    this.#parent = parent
  }

  /** An overlay set: sees this set's templates, adds its own without changing this one (Go's Clone for tpl). */
  overlay(): TemplateSet {
    return new TemplateSet({}, this)
  }

  lookup(name: string): Tree | undefined {
    return this.#trees.get(name) ?? this.#parent?.lookup(name)
  }

  func(name: string): { def: FuncDef; builtin: boolean } | undefined {
    const f = Object.hasOwn(this.funcs, name) ? this.funcs[name] : undefined
    if (f !== undefined) return { def: f, builtin: false }
    const b = Object.hasOwn(builtins, name) ? builtins[name] : undefined
    return b === undefined ? undefined : { def: b, builtin: true }
  }

  /** Whether a template of that name exists (defined or parsed). */
  has(name: string): boolean {
    return this.lookup(name) !== undefined
  }

  /** Names of the templates of this set (not of a parent). */
  names(): string[] {
    return [...this.#trees.keys()]
  }

  /**
   * Parses `text` as the template `name`, adding every template it defines.
   * A later non-empty definition replaces an earlier one, as in Go.
   * Throws TemplateError (kind "parse") with Go's message.
   */
  parse(name: string, text: string): this {
    const trees = new Map<string, Tree>()
    try {
      parseTemplate(name, text, { leftDelim: this.delims[0], rightDelim: this.delims[1], hasFunction: (n) => this.func(n) !== undefined }, trees)
    } catch (e) {
      if (e instanceof ParseError) throw new TemplateError("parse", e.message)
      throw e
    }
    for (const [n, tree] of trees) {
      const old = this.#trees.get(n) ?? this.#parent?.lookup(n)
      if (old !== undefined && isEmptyTree(tree.root)) continue
      this.#trees.set(n, tree)
    }
    return this
  }

  /** Renders the template `name` with `data` as dot. Throws TemplateError (kind "exec" or "limit"). */
  execute(name: string, data: unknown, budget?: Budget): string {
    return execute(this, name, data, budget)
  }
}

/** Parses and renders one template text (name "main" unless given). */
export function render(text: string, data: unknown, options: TemplateSetOptions & { readonly templateName?: string } = {}): string {
  const name = options.templateName ?? "main"
  return new TemplateSet(options).parse(name, text).execute(name, data)
}

export { Budget, TemplateError }
