// Go's unicode package predicates and simple (one rune to one rune) case
// mappings; JavaScript's toUpperCase uses full mappings ("ß" -> "SS"),
// which Go's per-rune mapping does not.

const cache = new Map<number, boolean>()
const test = (re: RegExp, r: number) => re.test(String.fromCodePoint(r))

export const isLetter = (r: number) => (r < 128 ? (r | 32) >= 97 && (r | 32) <= 122 : test(/\p{L}/u, r))
export const isUpper = (r: number) => (r < 128 ? r >= 65 && r <= 90 : test(/\p{Lu}/u, r))
export const isLower = (r: number) => (r < 128 ? r >= 97 && r <= 122 : test(/\p{Ll}/u, r))
export const isTitle = (r: number) => r >= 128 && test(/\p{Lt}/u, r)
export const isDigit = (r: number) => (r < 128 ? r >= 48 && r <= 57 : test(/\p{Nd}/u, r))
export const isNumber = (r: number) => (r < 128 ? r >= 48 && r <= 57 : test(/\p{N}/u, r))
export const isPunct = (r: number) => test(/\p{P}/u, r)

/** unicode.IsSpace */
export function isSpaceRune(r: number): boolean {
  if (r <= 0xff) return r === 32 || (r >= 9 && r <= 13) || r === 0x85 || r === 0xa0
  let v = cache.get(r)
  if (v === undefined) {
    v = test(/\p{White_Space}/u, r)
    cache.set(r, v)
  }
  return v
}

function single(s: string, r: number): number {
  const cp = s.codePointAt(0)!
  return s.length === String.fromCodePoint(cp).length ? cp : r
}

/** unicode.ToUpper */
export function toUpperRune(r: number): number {
  if (r < 128) return r >= 97 && r <= 122 ? r - 32 : r
  return single(String.fromCodePoint(r).toUpperCase(), r)
}

/** unicode.ToLower */
export function toLowerRune(r: number): number {
  if (r < 128) return r >= 65 && r <= 90 ? r + 32 : r
  if (r === 0x130) return 0x69 // İ -> i (Go's simple mapping)
  return single(String.fromCodePoint(r).toLowerCase(), r)
}

const TITLE: Record<number, number> = {
  0x1c4: 0x1c5, 0x1c5: 0x1c5, 0x1c6: 0x1c5, 0x1c7: 0x1c8, 0x1c8: 0x1c8, 0x1c9: 0x1c8,
  0x1ca: 0x1cb, 0x1cb: 0x1cb, 0x1cc: 0x1cb, 0x1f1: 0x1f2, 0x1f2: 0x1f2, 0x1f3: 0x1f2,
}

/** unicode.ToTitle */
export function toTitleRune(r: number): number {
  return TITLE[r] ?? toUpperRune(r)
}
