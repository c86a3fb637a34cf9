// Serialization of build output as the YAML stream `kubectl kustomize` prints.
import { stringify } from "yaml"

/** Objects as a YAML stream: keys sorted, lists not indented, documents separated by "---". */
export const toYaml = (objects: ReadonlyArray<unknown>): string =>
  objects.map((o) => stringify(o, { sortMapEntries: true, indentSeq: false, lineWidth: 0, version: "1.1" })).join("---\n")
