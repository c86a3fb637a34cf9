// A fast first try at parsing manifests: js-yaml builds plain objects about 10x faster than
// the yaml package's Document API (2,000 objects: ~25 ms against ~225 ms), which was most of
// a large build's time. Scalars resolve through the yaml package's own YAML 1.2 core tags
// (and its timestamp tag), in its order, so a value means the same on both paths. Whatever
// js-yaml refuses (an error, an alias, a local tag, a non-string key) and any stream with a
// directive goes to the yaml package, whose result and error messages stay the reference.
import { defineMappingTag, defineScalarTag, FAILSAFE_SCHEMA, loadAll, mapTag, NOT_RESOLVED } from "js-yaml"
import { isScalar, Schema } from "yaml"

type YamlTag = { tag: string; test?: RegExp; resolve: (s: string, onError: (m: string) => void, o: object) => unknown }

/** Go's time.Time in JSON (RFC 3339, UTC, no empty fraction), as the build's reviver writes it. */
export const timeString = (v: unknown): unknown => (v instanceof Date ? v.toISOString().replace(".000Z", "Z") : v)

// The first characters each core tag's patterns can start with (a superset), so most strings skip
// the patterns; a tag not listed here is tried on every plain scalar.
const DIGITS = [..."0123456789"]
const FIRST_CHARS: Record<string, readonly string[]> = {
  "tag:yaml.org,2002:null": ["", "~", "n", "N"],
  "tag:yaml.org,2002:bool": ["t", "T", "f", "F"],
  "tag:yaml.org,2002:int": [...DIGITS, "+", "-"],
  "tag:yaml.org,2002:float": [...DIGITS, "+", "-", "."],
  "tag:yaml.org,2002:timestamp": DIGITS,
}

const schema = (() => {
  const byName = new Map<string, YamlTag[]>()
  for (const t of new Schema({ schema: "core", customTags: ["timestamp"] }).tags as YamlTag[]) {
    if (!t.test) continue
    const list = byName.get(t.tag) ?? []
    list.push(t)
    byName.set(t.tag, list)
  }
  const tags = [...byName].map(([name, list]) =>
    defineScalarTag(name, {
      implicit: true,
      implicitFirstChars: FIRST_CHARS[name] ?? null,
      identify: () => false,
      resolve: (s: string) => {
        for (const t of list) {
          if (!t.test!.test(s)) continue
          // some tags answer with a Scalar node (floats keep their digits), as the composer unwraps
          const v = t.resolve(s, () => undefined, {})
          return timeString(isScalar(v) ? v.value : v)
        }
        return NOT_RESOLVED
      },
    }),
  )
  // Keys must be strings: the two packages name a null or a timestamp key differently.
  const stringKeys = defineMappingTag(mapTag.tagName, {
    create: mapTag.create,
    addPair: (m, k, v) => (typeof k === "string" ? mapTag.addPair(m, k, v) : "a key that is not a string"),
    has: mapTag.has,
    keys: mapTag.keys,
    get: mapTag.get,
    identify: () => false,
  })
  return FAILSAFE_SCHEMA.withTags(...tags, stringKeys)
})()

/** The stream's documents as plain values, or undefined where the yaml package must decide. */
export const loadFast = (text: string): unknown[] | undefined => {
  if (/^%/m.test(text)) return undefined
  try {
    return loadAll(text, { schema, maxAliases: 0 })
  } catch {
    return undefined
  }
}
