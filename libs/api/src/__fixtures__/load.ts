// Loads the YAML fixtures of this folder for the tests.
import { readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"
import YAML from "yaml"

const dir = import.meta.dirname

/** The documents of one fixture file, as plain JSON values. */
export const fixture = (file: string): Array<any> =>
  YAML.parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((d) => d.toJS())

/** Every document of every fixture file, with its file name and index. */
export const allFixtures = (): Array<{ file: string; index: number; object: any }> =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .flatMap((file) => fixture(file).map((object, index) => ({ file, index, object })))
