// The template lexer: Go's text/template/parse lexer state machine, run
// synchronously. Positions are UTF-16 offsets (converted to Go's byte
// columns only when an error is printed); lines count as Go counts them.
import { isPrint, quote } from "./strconv.ts"

export const T = {
  Error: 0, Bool: 1, Char: 2, CharConstant: 3, Comment: 4, Complex: 5, Assign: 6, Declare: 7, EOF: 8, Field: 9, Identifier: 10, LeftDelim: 11, LeftParen: 12, Number: 13, Pipe: 14, RawString: 15, RightDelim: 16, RightParen: 17, Space: 18, String: 19, Text: 20, Variable: 21, Keyword: 22, Block: 23, Break: 24, Continue: 25, Dot: 26, Define: 27, Else: 28, End: 29, If: 30, Nil: 31, Range: 32, Template: 33, With: 34,
} as const
export type T = (typeof T)[keyof typeof T]

export interface Item {
  readonly typ: T
  readonly pos: number
  readonly val: string
  readonly line: number
}

const KEYWORDS: Record<string, T> = {
  ".": T.Dot, block: T.Block, break: T.Break, continue: T.Continue, define: T.Define, else: T.Else,
  end: T.End, if: T.If, range: T.Range, nil: T.Nil, template: T.Template, with: T.With,
}

const ALNUM = /[\p{L}\p{Nd}_]/u
const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\r" || c === "\n"
const isAlphaNumeric = (c: string | undefined): boolean => {
  if (c === undefined) return false
  const x = c.charCodeAt(0)
  if (x < 128) return (x >= 48 && x <= 57) || (x >= 65 && x <= 90) || (x >= 97 && x <= 122) || x === 95
  return ALNUM.test(c)
}

const hasLeftTrimMarker = (s: string, i: number) => s[i] === "-" && isSpace(s[i + 1])
const hasRightTrimMarker = (s: string, i: number) => isSpace(s[i]) && s[i + 1] === "-"

/** %#U of a rune: U+0023 '#'. */
export function formatU(r: number): string {
  const hex = r.toString(16).toUpperCase().padStart(4, "0")
  return isPrint(r) ? `U+${hex} '${String.fromCodePoint(r)}'` : `U+${hex}`
}

/** Lexes a template into items, ending with EOF or the first Error item. */
export function lex(input: string, leftDelim: string, rightDelim: string, breakOK: boolean, continueOK: boolean): Item[] {
  const items: Item[] = []
  let pos = 0
  let start = 0
  let line = 1
  let startLine = 1
  let parenDepth = 0
  const ld = leftDelim || "{{"
  const rd = rightDelim || "}}"

  const countNL = (a: number, b: number) => {
    let n = 0
    for (let i = a; i < b; i++) if (input.charCodeAt(i) === 10) n++
    return n
  }
  const emit = (typ: T) => {
    items.push({ typ, pos: start, val: input.slice(start, pos), line: startLine })
    start = pos
    startLine = line
  }
  const ignore = () => {
    line += countNL(start, pos)
    start = pos
    startLine = line
  }
  const error = (msg: string): false => {
    items.push({ typ: T.Error, pos: start, val: msg, line: startLine })
    return false
  }
  // next/backup over code points; lines are tracked as Go does.
  let lastWidth = 0
  const next = (): string | undefined => {
    if (pos >= input.length) { lastWidth = 0; return undefined }
    const c = input.codePointAt(pos)!
    const s = String.fromCodePoint(c)
    lastWidth = s.length
    pos += lastWidth
    if (c === 10) line++
    return s
  }
  const backup = () => {
    if (lastWidth > 0) {
      pos -= lastWidth
      if (input.charCodeAt(pos) === 10) line--
      lastWidth = 0
    }
  }
  const peek = (): string | undefined => {
    if (pos >= input.length) return undefined
    const c = input.codePointAt(pos)!
    return String.fromCodePoint(c)
  }
  const atRightDelim = (): [boolean, boolean] => {
    if (hasRightTrimMarker(input, pos) && input.startsWith(rd, pos + 2)) return [true, true]
    if (input.startsWith(rd, pos)) return [true, false]
    return [false, false]
  }
  const atTerminator = (): boolean => {
    const r = peek()
    if (isSpace(r)) return true
    switch (r) {
      case undefined: case ".": case ",": case "|": case ":": case ")": case "(": return true
    }
    return input.startsWith(rd, pos)
  }
  const accept = (valid: string): boolean => {
    const c = next()
    if (c !== undefined && valid.includes(c)) return true
    backup()
    return false
  }
  const acceptRun = (valid: string) => {
    for (;;) {
      const c = next()
      if (c === undefined || !valid.includes(c)) { backup(); return }
    }
  }
  const scanNumber = (): boolean => {
    accept("+-")
    let digits = "0123456789_"
    if (accept("0")) {
      if (accept("xX")) digits = "0123456789abcdefABCDEF_"
      else if (accept("oO")) digits = "01234567_"
      else if (accept("bB")) digits = "01_"
    }
    acceptRun(digits)
    if (accept(".")) acceptRun(digits)
    if (digits.length === 11 && accept("eE")) {
      accept("+-")
      acceptRun("0123456789_")
    }
    if (digits.length === 23 && accept("pP")) {
      accept("+-")
      acceptRun("0123456789_")
    }
    accept("i")
    if (isAlphaNumeric(peek())) {
      next()
      return false
    }
    return true
  }

  // State functions return the next state (or null to stop).
  type State = () => State | null
  const lexText: State = () => {
    const x = input.indexOf(ld, pos)
    if (x >= 0) {
      pos = x
      let trimLength = 0
      if (hasLeftTrimMarker(input, pos + ld.length)) {
        let j = pos
        while (j > start && isSpace(input[j - 1])) j--
        trimLength = pos - j
      }
      pos -= trimLength
      if (pos > start) {
        line += countNL(start, pos)
        emit(T.Text)
      }
      pos += trimLength
      ignore()
      return lexLeftDelim
    }
    pos = input.length
    if (pos > start) {
      line += countNL(start, pos)
      emit(T.Text)
    }
    emit(T.EOF)
    return null
  }
  const lexLeftDelim: State = () => {
    pos += ld.length
    const trimSpace = hasLeftTrimMarker(input, pos)
    const afterMarker = trimSpace ? 2 : 0
    if (input.startsWith("/*", pos + afterMarker)) {
      pos += afterMarker
      ignore()
      return lexComment
    }
    emit(T.LeftDelim)
    pos += afterMarker
    ignore()
    parenDepth = 0
    return lexInsideAction
  }
  const lexComment: State = () => {
    pos += 2
    const i = input.indexOf("*/", pos)
    if (i < 0) return error("unclosed comment") || null
    pos = i + 2
    const [delim, trimSpace] = atRightDelim()
    if (!delim) return error("comment ends before closing delimiter") || null
    if (trimSpace) pos += 2
    pos += rd.length
    if (trimSpace) while (isSpace(input[pos])) pos++
    ignore()
    return lexText
  }
  const lexRightDelim: State = () => {
    const trimSpace = hasRightTrimMarker(input, pos)
    if (trimSpace) {
      pos += 2
      ignore()
    }
    pos += rd.length
    emit(T.RightDelim)
    if (trimSpace) {
      while (isSpace(input[pos])) pos++
      ignore()
    }
    return lexText
  }
  const lexInsideAction: State = () => {
    const [delim] = atRightDelim()
    if (delim) {
      if (parenDepth === 0) return lexRightDelim
      return error("unclosed left paren") || null
    }
    const r = next()
    if (r === undefined) return error("unclosed action") || null
    if (isSpace(r)) {
      backup()
      return lexSpace
    }
    switch (r) {
      case "=": emit(T.Assign); return lexInsideAction
      case ":":
        if (next() !== "=") return error("expected :=") || null
        emit(T.Declare)
        return lexInsideAction
      case "|": emit(T.Pipe); return lexInsideAction
      case '"': return lexQuote
      case "`": return lexRawQuote
      case "$": return lexVariable
      case "'": return lexChar
      case ".":
        if (pos < input.length) {
          const c = input.charCodeAt(pos)
          if (c < 48 || c > 57) return lexField
        }
        backup()
        return lexNumber
      case "(":
        emit(T.LeftParen)
        parenDepth++
        return lexInsideAction
      case ")":
        emit(T.RightParen)
        parenDepth--
        if (parenDepth < 0) return error(`unexpected right paren ${formatU(41)}`) || null
        return lexInsideAction
    }
    if (r === "+" || r === "-" || (r >= "0" && r <= "9")) {
      backup()
      return lexNumber
    }
    if (isAlphaNumeric(r)) {
      backup()
      return lexIdentifier
    }
    const cp = r.codePointAt(0)!
    if (cp <= 127 && isPrint(cp)) {
      emit(T.Char)
      return lexInsideAction
    }
    return error(`unrecognized character in action: ${formatU(cp)}`) || null
  }
  const lexSpace: State = () => {
    let numSpaces = 0
    while (isSpace(peek())) {
      next()
      numSpaces++
    }
    if (hasRightTrimMarker(input, pos - 1) && input.startsWith(rd, pos - 1 + 2)) {
      pos--
      if (input.charCodeAt(pos) === 10) line--
      if (numSpaces === 1) return lexRightDelim
    }
    emit(T.Space)
    return lexInsideAction
  }
  const lexIdentifier: State = () => {
    for (;;) {
      const r = next()
      if (isAlphaNumeric(r)) continue
      backup()
      const word = input.slice(start, pos)
      if (!atTerminator()) return error(`bad character ${formatU(r === undefined ? -1 : r.codePointAt(0)!)}`) || null
      const kw = KEYWORDS[word]
      if (kw !== undefined && kw > T.Keyword && Object.hasOwn(KEYWORDS, word)) {
        if ((kw === T.Break && !breakOK) || (kw === T.Continue && !continueOK)) emit(T.Identifier)
        else emit(kw)
      } else if (word[0] === ".") emit(T.Field)
      else if (word === "true" || word === "false") emit(T.Bool)
      else emit(T.Identifier)
      return lexInsideAction
    }
  }
  const lexFieldOrVariable = (typ: T): State | null => {
    if (atTerminator()) {
      emit(typ === T.Variable ? T.Variable : T.Dot)
      return lexInsideAction
    }
    let r: string | undefined
    for (;;) {
      r = next()
      if (!isAlphaNumeric(r)) {
        backup()
        break
      }
    }
    if (!atTerminator()) return error(`bad character ${formatU(r === undefined ? -1 : r.codePointAt(0)!)}`) || null
    emit(typ)
    return lexInsideAction
  }
  const lexField: State = () => lexFieldOrVariable(T.Field)
  const lexVariable: State = () => {
    if (atTerminator()) {
      emit(T.Variable)
      return lexInsideAction
    }
    return lexFieldOrVariable(T.Variable)
  }
  const lexChar: State = () => {
    for (;;) {
      const c = next()
      if (c === "\\") {
        const r = next()
        if (r !== undefined && r !== "\n") continue
        return error("unterminated character constant") || null
      }
      if (c === undefined || c === "\n") return error("unterminated character constant") || null
      if (c === "'") break
    }
    emit(T.CharConstant)
    return lexInsideAction
  }
  const lexNumber: State = () => {
    if (!scanNumber()) return error(`bad number syntax: ${quote(input.slice(start, pos))}`) || null
    const sign = peek()
    if (sign === "+" || sign === "-") {
      if (!scanNumber() || input[pos - 1] !== "i") return error(`bad number syntax: ${quote(input.slice(start, pos))}`) || null
      emit(T.Complex)
    } else emit(T.Number)
    return lexInsideAction
  }
  const lexQuote: State = () => {
    for (;;) {
      const c = next()
      if (c === "\\") {
        const r = next()
        if (r !== undefined && r !== "\n") continue
        return error("unterminated quoted string") || null
      }
      if (c === undefined || c === "\n") return error("unterminated quoted string") || null
      if (c === '"') break
    }
    emit(T.String)
    return lexInsideAction
  }
  const lexRawQuote: State = () => {
    for (;;) {
      const c = next()
      if (c === undefined) return error("unterminated raw quoted string") || null
      if (c === "`") break
    }
    emit(T.RawString)
    return lexInsideAction
  }

  let state: State | null = lexText
  while (state !== null) state = state()
  return items
}
