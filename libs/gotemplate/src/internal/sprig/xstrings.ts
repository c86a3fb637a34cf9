// huandu/xstrings' case conversions as sprig exposes them: camelcase,
// snakecase, kebabcase. Words are split into runs of upper-case letters,
// letters, numbers, punctuation and connectors ('-', '_', white space).
import { isLetter, isNumber, isPunct, isSpaceRune, isUpper, toLowerRune, toUpperRune } from "./unicode.ts"

const isConnector = (r: number) => r === 0x2d || r === 0x5f || isSpaceRune(r)
const isAlphabet = (r: number) => isLetter(r) && (r < 0x3400 || !/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(String.fromCodePoint(r)))
const ch = (r: number) => String.fromCodePoint(r)

/** xstrings.ToCamelCase */
export function toCamelCase(s: string): string {
  const rs = [...s].map((c) => c.codePointAt(0)!)
  if (rs.length === 0) return ""
  let out = ""
  let i = 0
  let r0 = 0
  for (; i < rs.length;) {
    r0 = rs[i++]!
    if (!isConnector(r0)) {
      r0 = toUpperRune(r0)
      break
    }
    out += ch(r0)
  }
  if (i >= rs.length) return out + ch(r0)
  while (i < rs.length) {
    const r1 = r0
    r0 = rs[i++]!
    if (isConnector(r0) && isConnector(r1)) {
      out += ch(r1)
      continue
    }
    if (isConnector(r1)) r0 = toUpperRune(r0)
    else {
      r0 = toLowerRune(r0)
      out += ch(r1)
    }
  }
  return out + ch(r0)
}

const W = { Invalid: 0, Number: 1, Upper: 2, Alphabet: 3, Connector: 4, Punct: 5, Other: 6 } as const
type W = (typeof W)[keyof typeof W]

/** Splits the next word: [type, word, rest] (as xstrings' nextWord). */
function nextWord(rs: number[]): [W, number[], number[]] {
  if (rs.length === 0) return [W.Invalid, [], []]
  const r = rs[0]!
  let n = 1
  let t: W
  if (isConnector(r)) {
    t = W.Connector
    while (n < rs.length && isConnector(rs[n]!)) n++
  } else if (isPunct(r)) {
    t = W.Punct
    while (n < rs.length && isPunct(rs[n]!)) n++
  } else if (isUpper(r)) {
    t = W.Upper
    if (n < rs.length) {
      const r2 = rs[n]!
      if (isUpper(r2)) {
        // a run of capitals; the last one starts the next word when a lower-case letter follows
        let m = n
        while (m < rs.length && isUpper(rs[m]!)) m++
        if (m < rs.length && isAlphabet(rs[m]!)) m--
        n = m
      } else if (isAlphabet(r2)) {
        while (n < rs.length && isAlphabet(rs[n]!) && !isUpper(rs[n]!)) n++
      }
    }
  } else if (isAlphabet(r)) {
    t = W.Alphabet
    while (n < rs.length && isAlphabet(rs[n]!) && !isUpper(rs[n]!)) n++
  } else if (isNumber(r)) {
    t = W.Number
    while (n < rs.length && isNumber(rs[n]!)) n++
  } else {
    t = W.Other
    while (n < rs.length && !(isConnector(rs[n]!) || isAlphabet(rs[n]!) || isNumber(rs[n]!) || isPunct(rs[n]!))) n++
  }
  return [t, rs.slice(0, n), rs.slice(n)]
}

function lowerWord(t: W, w: number[], connector: string): string {
  if (t !== W.Upper && t !== W.Connector) return w.map(ch).join("")
  return w.map((r) => (isConnector(r) ? connector : isUpper(r) ? ch(toLowerRune(r)) : ch(r))).join("")
}

/** xstrings' camelCaseToLowerCase: snake_case and kebab-case. */
export function toLowerWords(s: string, connector: string): string {
  let rs = [...s].map((c) => c.codePointAt(0)!)
  if (rs.length === 0) return ""
  let out = ""
  let [wt, word, rest] = nextWord(rs)
  rs = rest
  while (rs.length > 0) {
    if (wt !== W.Connector) out += lowerWord(wt, word, connector)
    const prev = wt
    const last = word
    ;[wt, word, rs] = nextWord(rs)
    switch (prev) {
      case W.Number:
        while (wt === W.Alphabet || wt === W.Number) {
          out += lowerWord(wt, word, connector)
          ;[wt, word, rs] = nextWord(rs)
        }
        if (wt !== W.Invalid && wt !== W.Punct && wt !== W.Connector) out += connector
        break
      case W.Connector:
        out += lowerWord(prev, last, connector)
        break
      case W.Punct:
        break
      default: {
        if (wt !== W.Number) {
          if (wt !== W.Connector && wt !== W.Punct) out += connector
          break
        }
        if (rs.length === 0) break
        const lastNum = word
        ;[wt, word, rs] = nextWord(rs)
        if (wt !== W.Alphabet) {
          out += lowerWord(W.Number, lastNum, connector)
          if (wt !== W.Connector && wt !== W.Punct) out += connector
          break
        }
        out += connector + lowerWord(W.Number, lastNum, connector)
        while (wt === W.Alphabet || wt === W.Number) {
          out += lowerWord(wt, word, connector)
          ;[wt, word, rs] = nextWord(rs)
        }
        if (wt !== W.Invalid && wt !== W.Connector && wt !== W.Punct) out += connector
      }
    }
  }
  return out + lowerWord(wt, word, connector)
}
