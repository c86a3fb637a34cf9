// The parse tree of a template, shaped like Go's text/template/parse nodes
// so that error positions and node texts print the way Go prints them.

/** The parse that produced a node: its text (for line:column) and top-level name. */
export interface TreeSrc {
  readonly parseName: string
  readonly text: string
}

export const N = {
  Text: 0, Action: 1, Bool: 2, Chain: 3, Command: 4, Dot: 5, Field: 6, Identifier: 7, If: 8, List: 9, Nil: 10, Number: 11, Pipe: 12, Range: 13, String: 14, Template: 15, Variable: 16, With: 17, Comment: 18, Break: 19, Continue: 20, Else: 21, End: 22,
} as const
export type N = (typeof N)[keyof typeof N]

interface Base {
  readonly pos: number
  readonly src: TreeSrc
}

export interface TextNode extends Base { readonly type: typeof N.Text; readonly text: string }
export interface CommentNode extends Base { readonly type: typeof N.Comment; readonly text: string }
export interface ListNode extends Base { readonly type: typeof N.List; readonly nodes: Node[] }
export interface PipeNode extends Base {
  readonly type: typeof N.Pipe
  isAssign: boolean
  readonly decl: VariableNode[]
  readonly cmds: CommandNode[]
}
export interface ActionNode extends Base { readonly type: typeof N.Action; readonly pipe: PipeNode }
export interface CommandNode extends Base { readonly type: typeof N.Command; readonly args: Node[] }
export interface IdentifierNode extends Base { readonly type: typeof N.Identifier; readonly ident: string }
export interface VariableNode extends Base { readonly type: typeof N.Variable; readonly ident: string[] }
export interface DotNode extends Base { readonly type: typeof N.Dot }
export interface NilNode extends Base { readonly type: typeof N.Nil }
export interface FieldNode extends Base { readonly type: typeof N.Field; readonly ident: string[] }
export interface ChainNode extends Base { readonly type: typeof N.Chain; readonly node: Node; readonly field: string[] }
export interface BoolNode extends Base { readonly type: typeof N.Bool; readonly value: boolean }
export interface NumberNode extends Base {
  readonly type: typeof N.Number
  readonly isInt: boolean
  readonly isUint: boolean
  readonly isFloat: boolean
  readonly isComplex: boolean
  readonly int: bigint
  readonly uint: bigint
  readonly float: number
  readonly complex: readonly [number, number]
  readonly text: string
}
export interface StringNode extends Base { readonly type: typeof N.String; readonly quoted: string; readonly text: string }
export interface BranchNode extends Base {
  readonly type: typeof N.If | typeof N.Range | typeof N.With
  readonly pipe: PipeNode
  readonly list: ListNode
  readonly elseList: ListNode | undefined
}
export interface TemplateNode extends Base { readonly type: typeof N.Template; readonly name: string; readonly pipe: PipeNode | undefined }
export interface BreakNode extends Base { readonly type: typeof N.Break }
export interface ContinueNode extends Base { readonly type: typeof N.Continue }
export interface ElseNode extends Base { readonly type: typeof N.Else }
export interface EndNode extends Base { readonly type: typeof N.End }

export type Node =
  | TextNode | CommentNode | ListNode | PipeNode | ActionNode | CommandNode | IdentifierNode | VariableNode
  | DotNode | NilNode | FieldNode | ChainNode | BoolNode | NumberNode | StringNode | BranchNode | TemplateNode
  | BreakNode | ContinueNode | ElseNode | EndNode

/** The node's text as Go's Node.String() writes it (used in error contexts). */
export function nodeString(n: Node): string {
  switch (n.type) {
    case N.Text: return n.text
    case N.Comment: return "{{" + n.text + "}}"
    case N.List: return n.nodes.map(nodeString).join("")
    case N.Pipe: {
      let s = ""
      if (n.decl.length > 0) s = n.decl.map(nodeString).join(", ") + " := "
      return s + n.cmds.map(nodeString).join(" | ")
    }
    case N.Action: return "{{" + nodeString(n.pipe) + "}}"
    case N.Command: return n.args.map((a) => (a.type === N.Pipe ? "(" + nodeString(a) + ")" : nodeString(a))).join(" ")
    case N.Identifier: return n.ident
    case N.Variable: return n.ident.join(".")
    case N.Dot: return "."
    case N.Nil: return "nil"
    case N.Field: return n.ident.map((i) => "." + i).join("")
    case N.Chain:
      return (n.node.type === N.Pipe ? "(" + nodeString(n.node) + ")" : nodeString(n.node)) + n.field.map((f) => "." + f).join("")
    case N.Bool: return n.value ? "true" : "false"
    case N.Number: return n.text
    case N.String: return n.quoted
    case N.If: case N.Range: case N.With: {
      const name = n.type === N.If ? "if" : n.type === N.Range ? "range" : "with"
      let s = "{{" + name + " " + nodeString(n.pipe) + "}}" + nodeString(n.list)
      if (n.elseList) s += "{{else}}" + nodeString(n.elseList)
      return s + "{{end}}"
    }
    case N.Template:
      return "{{template " + goQuote(n.name) + (n.pipe ? " " + nodeString(n.pipe) : "") + "}}"
    case N.Break: return "{{break}}"
    case N.Continue: return "{{continue}}"
    case N.Else: return "{{else}}"
    case N.End: return "{{end}}"
  }
}

import { quote as goQuote } from "./strconv.ts"

/** Go's "name:line:col" for a node (column in bytes, as Go counts). */
export function location(n: Node): string {
  const text = n.src.text.slice(0, n.pos)
  const nl = text.lastIndexOf("\n")
  let line = 1
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  const col = nl === -1 ? utf8Len(text) : utf8Len(text.slice(nl + 1))
  return `${n.src.parseName}:${line}:${col}`
}

function utf8Len(s: string): number {
  return Buffer.byteLength(s, "utf8")
}

const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/

/** Whether a tree holds only whitespace text and comments (Go's IsEmptyTree). */
export function isEmptyTree(n: Node | undefined): boolean {
  if (n === undefined) return true
  switch (n.type) {
    case N.Comment: return true
    case N.List: return n.nodes.every(isEmptyTree)
    case N.Text: return GO_SPACE.test(n.text)
  }
  return false
}
