// Serialization of build output as the YAML stream `kubectl kustomize` prints (Go yaml.v3
// style: sorted keys, unindented lists, single quotes where quoting is needed, double quotes
// for strings that would otherwise read as numbers, booleans, null or timestamps, and long
// flow scalars folded at spaces once past column 80, as Go's emitter does).
import { Document, stringify, visit } from "yaml"

const NON_STRING =
  /^(?:[-+]?(?:0|[1-9][0-9_]*)|0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|0[bB][01_]+|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|\d{4}-\d{1,2}-\d{1,2}(?:[Tt ]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d*)?(?:[Zz]|[-+]\d{1,2}(?::\d{2})?)?)?)$/
// Characters yaml.v3 cannot print plain or single-quoted (tabs and other controls).
const UNPRINTABLE = /[\x00-\x09\x0b-\x1f\x7f-\x84\x86-\x9f\ufeff\ufffe\uffff]/

const needsQuotes = (s: string): boolean => stringify(s, { singleQuote: true, lineWidth: 0 }).trimEnd() !== s

const BEST_WIDTH = 80
const KEY = /^(?:'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^\s'"?:,[\]{}#&*!|>%@`-](?:[^:\n]|:(?! ))*?|-(?! )(?:[^:\n]|:(?! ))*?): /

/** Folds one emitted line the way Go's emitter breaks a long flow scalar. */
const foldLine = (line: string, ownerCol: number, valueAt: number): string => {
  const chars = [...line]
  if (chars.length <= BEST_WIDTH) return line
  const first = chars[valueAt]
  const quoted = first === "'" || first === '"'
  if (first === undefined || first === "{" || first === "[" || first === "|" || first === ">" || first === "&" || first === "*" || first === "!") return line
  const indent = " ".repeat(ownerCol + 2)
  let out = chars.slice(0, valueAt).join("")
  let col = valueAt
  const end = chars.length
  for (let i = valueAt; i < end; i++) {
    const c = chars[i]!
    const inner = !quoted || (i > valueAt + 1 && i < end - 2)
    if (c === " " && inner && chars[i - 1] !== " " && chars[i + 1] !== undefined && chars[i + 1] !== " " && col > BEST_WIDTH) {
      out += `\n${indent}`
      col = indent.length
      continue
    }
    out += c
    col++
  }
  return out
}

/** Applies Go's folding to every simple `key: value` or `- value` line outside block scalars. */
const fold = (text: string): string => {
  const lines = text.split("\n")
  let blockOwner = -1
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!
    const lead = line.length - line.trimStart().length
    if (blockOwner >= 0) {
      if (line.trim() === "" || lead > blockOwner) continue
      blockOwner = -1
    }
    let i = 0
    let owner = -1
    for (;;) {
      while (line[i] === " ") i++
      if (line[i] === "-" && line[i + 1] === " ") {
        owner = i
        i += 2
      } else break
    }
    const key = line.slice(i).match(KEY)
    if (key !== null) {
      owner = i
      i += key[0].length
    }
    if (owner < 0) continue
    const rest = line.slice(i)
    if (rest.startsWith("|") || rest.startsWith(">")) {
      blockOwner = owner
      continue
    }
    if ([...line].length > BEST_WIDTH) lines[n] = foldLine(line, owner, [...line.slice(0, i)].length)
  }
  return lines.join("\n")
}

/** One object as a YAML document (no leading "---"). */
export const objectToYaml = (o: unknown): string => {
  const doc = new Document(o, { sortMapEntries: true })
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value !== "string") return
      const v = node.value
      if (v === "" || NON_STRING.test(v) || (UNPRINTABLE.test(v) && !v.includes("\n"))) node.type = "QUOTE_DOUBLE"
      // Go prefers single quotes even when the text holds one (doubled); the yaml library
      // switches to double quotes there.
      else if (v.includes("'") && !/[\n\u2028\u2029]/.test(v) && !UNPRINTABLE.test(v) && needsQuotes(v)) node.type = "QUOTE_SINGLE"
    },
  })
  return fold(doc.toString({ indentSeq: false, lineWidth: 0, singleQuote: true }))
}

/** Objects as a YAML stream: documents separated by "---". */
export const toYaml = (objects: ReadonlyArray<unknown>): string => objects.map(objectToYaml).join("---\n")
