// Number literals of templates, as Go's text/template/parse reads them.
import { N, type NumberNode, type TreeSrc } from "./ast.ts"
import { T } from "./lexer.ts"
import { NumError, parseFloat_, parseInt_, parseUint, quote, SyntaxError_, unquoteChar } from "./strconv.ts"

/** A malformed number literal (the parser reports it at the number's position). */
export class NumberSyntax extends Error {}

const MAX_I64 = (1n << 63n) - 1n

/** Go's parse.newNumber: what a number literal can be (int, uint, float, complex). */
export function newNumber(pos: number, src: TreeSrc, text: string, typ: T): NumberNode {
  let isInt = false, isUint = false, isFloat = false, isComplex = false
  let int = 0n, uint = 0n, float = 0
  let complex: [number, number] = [0, 0]
  const result = (): NumberNode => ({ type: N.Number, pos, src, isInt, isUint, isFloat, isComplex, int, uint, float, complex, text })
  const simplifyComplex = () => {
    isFloat = complex[1] === 0
    if (isFloat) {
      float = complex[0]
      isInt = Number.isInteger(float) && Math.abs(float) < 2 ** 63
      if (isInt) int = BigInt(float)
      isUint = Number.isInteger(float) && float >= 0 && float < 2 ** 64
      if (isUint) uint = BigInt(float)
    }
  }
  if (typ === T.CharConstant) {
    let r: number, tail: string
    try {
      ;[r, , tail] = unquoteChar(text.slice(1), 39)
    } catch (e) {
      if (e instanceof SyntaxError_) throw new NumberSyntax(e.message)
      throw e
    }
    if (tail !== "'") throw new NumberSyntax(`malformed character constant: ${text}`)
    int = BigInt(r)
    uint = BigInt(r)
    float = r
    isInt = isUint = isFloat = true
    return result()
  }
  if (typ === T.Complex) {
    const m = /^([+-]?[^+-]+(?:[eEpP][+-][0-9_]+)?)([+-].*)i$/.exec(text)
    if (!m) throw new NumberSyntax(`expected integer`)
    complex = [Number(m[1]!.replaceAll("_", "")), Number(m[2]!.replaceAll("_", ""))]
    isComplex = true
    simplifyComplex()
    return result()
  }
  if (text.endsWith("i")) {
    try {
      const f = parseFloat_(text.slice(0, -1))
      isComplex = true
      complex = [0, f]
      simplifyComplex()
      return result()
    } catch (e) {
      if (!(e instanceof NumError)) throw e
    }
  }
  let u = 0n
  try {
    u = parseUint(text, 0, 64)
    isUint = true
    uint = u
  } catch (e) {
    if (!(e instanceof NumError)) throw e
  }
  try {
    int = parseInt_(text, 0, 64)
    isInt = true
    if (int === 0n) {
      isUint = true
      uint = u
    }
  } catch (e) {
    if (!(e instanceof NumError)) throw e
  }
  if (isInt) {
    isFloat = true
    float = Number(int)
  } else if (isUint) {
    isFloat = true
    float = Number(uint)
  } else {
    let f: number | undefined
    try {
      f = parseFloat_(text)
    } catch (e) {
      if (!(e instanceof NumError)) throw e
      if (e.reason === "value out of range" && /[.eEpP]/.test(text)) f = undefined
    }
    if (f !== undefined) {
      if (!/[.eEpP]/.test(text)) throw new NumberSyntax(`integer overflow: ${quote(text)}`)
      isFloat = true
      float = f
      if (Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63 && BigInt(f) <= MAX_I64) {
        isInt = true
        int = BigInt(f)
      }
      if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
        isUint = true
        uint = BigInt(f)
      }
    }
  }
  if (!isInt && !isUint && !isFloat) throw new NumberSyntax(`illegal number syntax: ${quote(text)}`)
  return result()
}

/**
 * Parses one template text into `treeSet` (the template named `name` plus
 * every {{define}} and {{block}} in it). Throws ParseError.
 */
