// The template parser: a close structural mirror of Go's text/template/parse
// (three-token lookahead, variable scoping, define/block trees sharing one
// lexer) so that parse errors name the same line and say the same thing.
import {
  N, isEmptyTree, nodeString, type BranchNode, type ChainNode, type CommandNode, type ListNode, type Node,
  type NumberNode, type PipeNode, type TemplateNode, type TreeSrc, type VariableNode,
} from "./ast.ts"
import { formatU, lex, T, type Item } from "./lexer.ts"
import { newNumber, NumberSyntax } from "./number.ts"
import { quote, SyntaxError_, unquote } from "./strconv.ts"

/** A parsed template: its name and root list (the list is empty for a file of only defines). */
export interface Tree {
  readonly name: string
  readonly root: ListNode
  readonly src: TreeSrc
}

/** A template parse error, worded as Go words it. */
export class ParseError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "ParseError"
  }
}

export interface ParseOptions {
  readonly leftDelim?: string
  readonly rightDelim?: string
  /** Whether a function name is defined (functions are checked at parse time, as in Go). */
  readonly hasFunction: (name: string) => boolean
}

class Lexer {
  readonly items: Item[]
  i = 0
  constructor(items: Item[]) {
    this.items = items
  }
  nextItem(): Item {
    const it = this.items[this.i]!
    if (this.i < this.items.length - 1) this.i++
    return it
  }
}

const itemString = (i: Item): string => {
  if (i.typ === T.EOF) return "EOF"
  if (i.typ === T.Error) return i.val
  if (i.typ > T.Keyword) return `<${i.val}>`
  if (Buffer.byteLength(i.val, "utf8") > 10) return quote([...i.val].slice(0, 10).join("")) + "..."
  return quote(i.val)
}

class TreeParser {
  name: string
  readonly parseName: string
  readonly src: TreeSrc
  readonly lx: Lexer
  readonly opts: ParseOptions
  readonly treeSet: Map<string, Tree>
  root: ListNode | undefined
  token: Item[] = []
  peekCount = 0
  vars: string[] = ["$"]
  actionLine = 0
  rangeDepth = 0

  constructor(name: string, parseName: string, src: TreeSrc, lx: Lexer, opts: ParseOptions, treeSet: Map<string, Tree>) {
    this.name = name
    this.parseName = parseName
    this.src = src
    this.lx = lx
    this.opts = opts
    this.treeSet = treeSet
  }

  next(): Item {
    if (this.peekCount > 0) this.peekCount--
    else this.token[0] = this.lx.nextItem()
    return this.token[this.peekCount]!
  }
  backup(): void { this.peekCount++ }
  backup2(t1: Item): void {
    this.token[1] = t1
    this.peekCount = 2
  }
  backup3(t2: Item, t1: Item): void {
    this.token[1] = t1
    this.token[2] = t2
    this.peekCount = 3
  }
  peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1]!
    this.peekCount = 1
    this.token[0] = this.lx.nextItem()
    return this.token[0]
  }
  nextNonSpace(): Item {
    let t: Item
    do t = this.next()
    while (t.typ === T.Space)
    return t
  }
  peekNonSpace(): Item {
    const t = this.nextNonSpace()
    this.backup()
    return t
  }

  errorf(msg: string): never {
    this.root = undefined
    throw new ParseError(`template: ${this.parseName}:${this.token[0]?.line ?? 1}: ${msg}`)
  }
  expect(expected: T, context: string): Item {
    const t = this.nextNonSpace()
    if (t.typ !== expected) this.unexpected(t, context)
    return t
  }
  expectOneOf(e1: T, e2: T, context: string): Item {
    const t = this.nextNonSpace()
    if (t.typ !== e1 && t.typ !== e2) this.unexpected(t, context)
    return t
  }
  unexpected(t: Item, context: string): never {
    if (t.typ === T.Error) {
      let extra = ""
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`
        if (t.val.endsWith(" action")) extra = extra.slice(" in action".length)
      }
      this.errorf(`${itemString(t)}${extra}`)
    }
    this.errorf(`unexpected ${itemString(t)} in ${context}`)
  }

  add(): void {
    const tree = this.treeSet.get(this.name)
    if (tree === undefined || isEmptyTree(tree.root)) {
      this.treeSet.set(this.name, { name: this.name, root: this.root!, src: this.src })
      return
    }
    if (!isEmptyTree(this.root)) this.errorf(`template: multiple definition of template ${quote(this.name)}`)
  }

  list(pos: number): ListNode {
    return { type: N.List, pos, src: this.src, nodes: [] }
  }

  parse(): void {
    this.root = this.list(this.peek().pos)
    while (this.peek().typ !== T.EOF) {
      if (this.peek().typ === T.LeftDelim) {
        const delim = this.next()
        if (this.nextNonSpace().typ === T.Define) {
          const nt = new TreeParser("definition", this.parseName, this.src, this.lx, this.opts, this.treeSet)
          nt.parseDefinition()
          continue
        }
        this.backup2(delim)
      }
      const n = this.textOrAction()
      if (n.type === N.End || n.type === N.Else) this.errorf(`unexpected ${nodeString(n)}`)
      this.root.nodes.push(n)
    }
  }

  parseDefinition(): void {
    const context = "define clause"
    const name = this.expectOneOf(T.String, T.RawString, context)
    try {
      this.name = unquote(name.val)
    } catch (e) {
      if (e instanceof SyntaxError_) this.errorf(e.message)
      throw e
    }
    this.expect(T.RightDelim, context)
    const [list, end] = this.itemList()
    this.root = list
    if (end.type !== N.End) this.errorf(`unexpected ${nodeString(end)} in ${context}`)
    this.add()
  }

  itemList(): [ListNode, Node] {
    const list = this.list(this.peekNonSpace().pos)
    while (this.peekNonSpace().typ !== T.EOF) {
      const n = this.textOrAction()
      if (n.type === N.End || n.type === N.Else) return [list, n]
      list.nodes.push(n)
    }
    this.errorf("unexpected EOF")
  }

  textOrAction(): Node {
    const t = this.nextNonSpace()
    switch (t.typ) {
      case T.Text: return { type: N.Text, pos: t.pos, src: this.src, text: t.val }
      case T.LeftDelim:
        this.actionLine = t.line
        try {
          return this.action()
        } finally {
          this.actionLine = 0
        }
      case T.Comment: return { type: N.Comment, pos: t.pos, src: this.src, text: t.val }
    }
    this.unexpected(t, "input")
  }

  action(): Node {
    const t = this.nextNonSpace()
    switch (t.typ) {
      case T.Block: return this.blockControl()
      case T.Break: return this.breakControl(t.pos, N.Break)
      case T.Continue: return this.breakControl(t.pos, N.Continue)
      case T.Else: return this.elseControl()
      case T.End: return this.endControl()
      case T.If: return this.branch(N.If, true, "if")
      case T.Range: return this.branch(N.Range, false, "range")
      case T.Template: return this.templateControl()
      case T.With: return this.branch(N.With, true, "with")
    }
    this.backup()
    const tok = this.peek()
    return { type: N.Action, pos: tok.pos, src: this.src, pipe: this.pipeline("command", T.RightDelim) }
  }

  breakControl(pos: number, type: typeof N.Break | typeof N.Continue): Node {
    const word = type === N.Break ? "break" : "continue"
    const t = this.nextNonSpace()
    if (t.typ !== T.RightDelim) this.unexpected(t, `{{${word}}}`)
    if (this.rangeDepth === 0) this.errorf(`{{${word}}} outside {{range}}`)
    return { type, pos, src: this.src }
  }

  pipeline(context: string, end: T): PipeNode {
    const tok = this.peekNonSpace()
    const pipe: PipeNode = { type: N.Pipe, pos: tok.pos, src: this.src, isAssign: false, decl: [], cmds: [] }
    decls: for (;;) {
      const v = this.peekNonSpace()
      if (v.typ === T.Variable) {
        this.next()
        const tokenAfterVariable = this.peek()
        const nxt = this.peekNonSpace()
        if (nxt.typ === T.Assign || nxt.typ === T.Declare) {
          pipe.isAssign = nxt.typ === T.Assign
          this.nextNonSpace()
          pipe.decl.push(this.variable(v.pos, v.val))
          this.vars.push(v.val)
        } else if (nxt.typ === T.Char && nxt.val === ",") {
          this.nextNonSpace()
          pipe.decl.push(this.variable(v.pos, v.val))
          this.vars.push(v.val)
          if (context === "range" && pipe.decl.length < 2) {
            const p = this.peekNonSpace().typ
            if (p === T.Variable || p === T.RightDelim || p === T.RightParen) continue decls
            this.errorf("range can only initialize variables")
          }
          this.errorf(`too many declarations in ${context}`)
        } else if (tokenAfterVariable.typ === T.Space) this.backup3(v, tokenAfterVariable)
        else this.backup2(v)
      }
      break
    }
    for (;;) {
      const t = this.nextNonSpace()
      switch (t.typ) {
        case end:
          this.checkPipeline(pipe, context)
          return pipe
        case T.Bool: case T.CharConstant: case T.Complex: case T.Dot: case T.Field: case T.Identifier:
        case T.Number: case T.Nil: case T.RawString: case T.String: case T.Variable: case T.LeftParen:
          this.backup()
          pipe.cmds.push(this.command())
          break
        default:
          this.unexpected(t, context)
      }
    }
  }

  checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`)
    for (let i = 1; i < pipe.cmds.length; i++) {
      const t = pipe.cmds[i]!.args[0]!.type
      if (t === N.Bool || t === N.Dot || t === N.Nil || t === N.Number || t === N.String)
        this.errorf(`non executable command in pipeline stage ${i + 1}`)
    }
  }

  branch(type: typeof N.If | typeof N.Range | typeof N.With, allowElseIf: boolean, context: string): BranchNode {
    const mark = this.vars.length
    try {
      const pipe = this.pipeline(context, T.RightDelim)
      if (context === "range") this.rangeDepth++
      let [list, next] = this.itemList()
      if (context === "range") this.rangeDepth--
      let elseList: ListNode | undefined
      if (next.type === N.Else) {
        // `else if` (and, as in Go 1.23, `else with`) chains into a nested branch.
        const chained = allowElseIf ? this.peek().typ : undefined
        if (chained === (type === N.If ? T.If : T.With) && allowElseIf) {
          this.next()
          elseList = this.list(next.pos)
          elseList.nodes.push(this.branch(type, true, context))
        } else {
          ;[elseList, next] = this.itemList()
          if (next.type !== N.End) this.errorf(`expected end; found ${nodeString(next)}`)
        }
      }
      return { type, pos: pipe.pos, src: this.src, pipe, list, elseList }
    } finally {
      this.vars.length = mark
    }
  }

  endControl(): Node {
    return { type: N.End, pos: this.expect(T.RightDelim, "end").pos, src: this.src }
  }

  elseControl(): Node {
    const p = this.peekNonSpace()
    if (p.typ === T.If || p.typ === T.With) return { type: N.Else, pos: p.pos, src: this.src }
    const t = this.expect(T.RightDelim, "else")
    return { type: N.Else, pos: t.pos, src: this.src }
  }

  blockControl(): Node {
    const context = "block clause"
    const tok = this.nextNonSpace()
    const name = this.templateName(tok, context)
    const pipe = this.pipeline(context, T.RightDelim)
    const block = new TreeParser(name, this.parseName, this.src, this.lx, this.opts, this.treeSet)
    const [list, end] = block.itemList()
    block.root = list
    if (end.type !== N.End) this.errorf(`unexpected ${nodeString(end)} in ${context}`)
    block.add()
    return { type: N.Template, pos: tok.pos, src: this.src, name, pipe } satisfies TemplateNode
  }

  templateControl(): Node {
    const context = "template clause"
    const tok = this.nextNonSpace()
    const name = this.templateName(tok, context)
    let pipe: PipeNode | undefined
    if (this.nextNonSpace().typ !== T.RightDelim) {
      this.backup()
      pipe = this.pipeline(context, T.RightDelim)
    }
    return { type: N.Template, pos: tok.pos, src: this.src, name, pipe } satisfies TemplateNode
  }

  templateName(tok: Item, context: string): string {
    if (tok.typ === T.String || tok.typ === T.RawString) {
      try {
        return unquote(tok.val)
      } catch (e) {
        if (e instanceof SyntaxError_) this.errorf(e.message)
        throw e
      }
    }
    this.unexpected(tok, context)
  }

  command(): CommandNode {
    const cmd: CommandNode = { type: N.Command, pos: this.peekNonSpace().pos, src: this.src, args: [] }
    for (;;) {
      this.peekNonSpace()
      const operand = this.operand()
      if (operand !== undefined) cmd.args.push(operand)
      const t = this.next()
      if (t.typ === T.Space) continue
      if (t.typ === T.RightDelim || t.typ === T.RightParen) this.backup()
      else if (t.typ !== T.Pipe) this.unexpected(t, "operand")
      break
    }
    if (cmd.args.length === 0) this.errorf("empty command")
    return cmd
  }

  operand(): Node | undefined {
    let node = this.term()
    if (node === undefined) return undefined
    if (this.peek().typ === T.Field) {
      const fields: string[] = []
      const pos = this.peek().pos
      while (this.peek().typ === T.Field) fields.push(this.next().val.slice(1))
      const chainText = (node.type === N.Pipe ? "(" + nodeString(node) + ")" : nodeString(node)) + fields.map((f) => "." + f).join("")
      switch (node.type) {
        case N.Field:
          node = { type: N.Field, pos, src: this.src, ident: chainText.slice(1).split(".") }
          break
        case N.Variable:
          node = this.variable(pos, chainText)
          break
        case N.Bool: case N.String: case N.Number: case N.Nil: case N.Dot:
          this.errorf(`unexpected . after term ${quote(nodeString(node))}`)
        default:
          node = { type: N.Chain, pos, src: this.src, node, field: fields } satisfies ChainNode
      }
    }
    return node
  }

  term(): Node | undefined {
    const t = this.nextNonSpace()
    switch (t.typ) {
      case T.Identifier:
        if (!this.opts.hasFunction(t.val)) this.errorf(`function ${quote(t.val)} not defined`)
        return { type: N.Identifier, pos: t.pos, src: this.src, ident: t.val }
      case T.Dot: return { type: N.Dot, pos: t.pos, src: this.src }
      case T.Nil: return { type: N.Nil, pos: t.pos, src: this.src }
      case T.Variable: return this.useVar(t.pos, t.val)
      case T.Field: return { type: N.Field, pos: t.pos, src: this.src, ident: t.val.slice(1).split(".") }
      case T.Bool: return { type: N.Bool, pos: t.pos, src: this.src, value: t.val === "true" }
      case T.CharConstant: case T.Complex: case T.Number:
        return this.number(t.pos, t.val, t.typ)
      case T.LeftParen: return this.pipeline("parenthesized pipeline", T.RightParen)
      case T.String: case T.RawString:
        try {
          return { type: N.String, pos: t.pos, src: this.src, quoted: t.val, text: unquote(t.val) }
        } catch (e) {
          if (e instanceof SyntaxError_) this.errorf(e.message)
          throw e
        }
    }
    this.backup()
    return undefined
  }

  variable(pos: number, ident: string): VariableNode {
    return { type: N.Variable, pos, src: this.src, ident: ident.split(".") }
  }

  useVar(pos: number, name: string): VariableNode {
    const v = this.variable(pos, name)
    if (!this.vars.includes(v.ident[0]!)) this.errorf(`undefined variable ${quote(v.ident[0]!)}`)
    return v
  }

  number(pos: number, text: string, typ: T): NumberNode {
    try {
      return newNumber(pos, this.src, text, typ)
    } catch (e) {
      if (e instanceof NumberSyntax) this.errorf(e.message)
      throw e
    }
  }
}

export function parseTemplate(name: string, text: string, opts: ParseOptions, treeSet: Map<string, Tree>): void {
  const items = lex(text, opts.leftDelim ?? "", opts.rightDelim ?? "", !opts.hasFunction("break"), !opts.hasFunction("continue"))
  const src: TreeSrc = { parseName: name, text }
  const t = new TreeParser(name, name, src, new Lexer(items), opts, treeSet)
  t.parse()
  t.add()
}

export { formatU }
