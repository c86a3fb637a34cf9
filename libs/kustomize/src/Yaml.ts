// Serialization of build output as the YAML stream `kubectl kustomize` prints (Go yaml.v3
// style: sorted keys, unindented lists, single quotes where quoting is needed, double quotes
// for strings that would otherwise read as numbers, booleans or null).
import { Document, stringify, visit } from "yaml"

const NON_STRING =
  /^(?:[-+]?(?:0|[1-9][0-9_]*)|0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|0[bB][01_]+|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$/

const needsQuotes = (s: string): boolean => stringify(s, { singleQuote: true, lineWidth: 0 }).trimEnd() !== s

/** One object as a YAML document (no leading "---"). */
export const objectToYaml = (o: unknown): string => {
  const doc = new Document(o, { sortMapEntries: true })
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value !== "string") return
      if (node.value === "" || NON_STRING.test(node.value)) node.type = "QUOTE_DOUBLE"
      // Go prefers single quotes even when the text holds one (doubled); the yaml library
      // switches to double quotes there.
      else if (node.value.includes("'") && !/[\n\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]/.test(node.value) && needsQuotes(node.value))
        node.type = "QUOTE_SINGLE"
    },
  })
  return doc.toString({ indentSeq: false, lineWidth: 0, singleQuote: true })
}

/** Objects as a YAML stream: documents separated by "---". */
export const toYaml = (objects: ReadonlyArray<unknown>): string => objects.map(objectToYaml).join("---\n")
