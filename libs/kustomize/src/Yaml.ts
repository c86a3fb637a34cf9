// Serialization of build output as the YAML stream `kubectl kustomize` prints (Go yaml.v3
// style: sorted keys, unindented lists, single quotes where quoting is needed, double quotes
// for strings that would otherwise read as numbers, booleans or null).
import { Document, visit } from "yaml"

const NON_STRING =
  /^(?:[-+]?(?:0|[1-9][0-9_]*)|0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|0[bB][01_]+|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$/

/** One object as a YAML document (no leading "---"). */
export const objectToYaml = (o: unknown): string => {
  const doc = new Document(o, { sortMapEntries: true })
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === "string" && (node.value === "" || NON_STRING.test(node.value))) node.type = "QUOTE_DOUBLE"
    },
  })
  return doc.toString({ indentSeq: false, lineWidth: 0, singleQuote: true })
}

/** Objects as a YAML stream: documents separated by "---". */
export const toYaml = (objects: ReadonlyArray<unknown>): string => objects.map(objectToYaml).join("---\n")
