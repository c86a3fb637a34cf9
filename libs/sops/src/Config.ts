// `.sops.yaml` creation rules: which age recipients and which encryption
// options apply to a file, first matching rule wins (as in sops).
import { isMap, parseDocument } from "yaml"
import { SopsError } from "./Errors.ts"
import type { EncryptionRules } from "./internal/Metadata.ts"
import { checkRecipient } from "./internal/Age.ts"
import type { Format } from "./internal/Tree.ts"
import { encrypt } from "./Sops.ts"

/** One creation rule of `.sops.yaml`, reduced to what moor uses. */
export type CreationRule = EncryptionRules & {
  readonly pathRegex: string | undefined
  readonly age: ReadonlyArray<string>
  /** master key kinds of the rule that moor cannot encrypt for (pgp, kms, ...). */
  readonly otherKeys: ReadonlyArray<string>
}

export type SopsConfig = { readonly creationRules: ReadonlyArray<CreationRule> }

const ageList = (v: unknown, field: string): string[] => {
  if (v === undefined || v === null) return []
  const list = Array.isArray(v) ? v.map(String) : typeof v === "string" ? v.split(",") : undefined
  if (!list) throw new SopsError("InvalidConfig", `${field}: expected a comma-separated string or a list of age recipients`)
  const out = list.map((s) => s.trim()).filter((s) => s !== "")
  for (const r of out) {
    try {
      checkRecipient(r)
    } catch {
      throw new SopsError("InvalidConfig", `${field}: ${JSON.stringify(r)} is not an age recipient`)
    }
  }
  return out
}

const optString = (v: unknown, field: string): string | undefined => {
  if (v === undefined || v === null) return undefined
  if (typeof v !== "string") throw new SopsError("InvalidConfig", `${field}: expected a string`)
  return v
}

const otherKinds = ["pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault_transit_uri"]

/** Parses the text of a `.sops.yaml`; errors name the field path (creation_rules[1].age). */
export const parseSopsConfig = (text: string): SopsConfig => {
  const doc = parseDocument(text, { prettyErrors: false })
  const e = doc.errors[0]
  if (e) throw new SopsError("InvalidConfig", `.sops.yaml: invalid YAML at line ${e.linePos?.[0].line ?? "?"}`, e.linePos ? { line: e.linePos[0].line } : {})
  if (doc.contents !== null && !isMap(doc.contents)) throw new SopsError("InvalidConfig", ".sops.yaml: expected a mapping")
  const js = (doc.toJS() ?? {}) as Record<string, unknown>
  const rules = js["creation_rules"] ?? []
  if (!Array.isArray(rules)) throw new SopsError("InvalidConfig", ".sops.yaml: creation_rules: expected a list")
  return {
    creationRules: rules.map((r: unknown, i: number) => {
      const f = `.sops.yaml: creation_rules[${i}]`
      if (typeof r !== "object" || r === null) throw new SopsError("InvalidConfig", `${f}: expected a mapping`)
      const m = r as Record<string, unknown>
      const age = ageList(m["age"], `${f}.age`)
      const otherKeys = otherKinds.filter((k) => m[k])
      if (Array.isArray(m["key_groups"])) {
        ;(m["key_groups"] as Array<Record<string, unknown>>).forEach((g, j) => {
          age.push(...ageList(g?.["age"], `${f}.key_groups[${j}].age`))
          for (const k of otherKinds) if (g?.[k]) otherKeys.push(k)
        })
      }
      const pathRegex = optString(m["path_regex"], `${f}.path_regex`)
      if (pathRegex !== undefined) {
        try {
          new RegExp(pathRegex)
        } catch {
          throw new SopsError("InvalidConfig", `${f}.path_regex: invalid regular expression`)
        }
      }
      return {
        pathRegex,
        age: [...new Set(age)],
        otherKeys: [...new Set(otherKeys)],
        unencryptedSuffix: optString(m["unencrypted_suffix"], `${f}.unencrypted_suffix`),
        encryptedSuffix: optString(m["encrypted_suffix"], `${f}.encrypted_suffix`),
        unencryptedRegex: optString(m["unencrypted_regex"], `${f}.unencrypted_regex`),
        encryptedRegex: optString(m["encrypted_regex"], `${f}.encrypted_regex`),
        macOnlyEncrypted: m["mac_only_encrypted"] === true,
      }
    }),
  }
}

/**
 * The first creation rule whose path_regex matches `path` (relative to the
 * directory of `.sops.yaml`, `/`-separated), or undefined. A rule without
 * path_regex matches every file.
 */
export const recipientsFor = (path: string, config: SopsConfig): CreationRule | undefined =>
  config.creationRules.find((r) => r.pathRegex === undefined || new RegExp(r.pathRegex).test(path))

/** The sops format of a file from its name: .yaml/.yml, .json, .env, anything else binary (as sops decides). */
export const formatFromPath = (path: string): Format => {
  const p = path.toLowerCase()
  if (p.endsWith(".yaml") || p.endsWith(".yml")) return "yaml"
  if (p.endsWith(".json")) return "json"
  if (p.endsWith(".env")) return "dotenv"
  return "binary"
}

/**
 * Encrypts a file as `sops --encrypt` would with this `.sops.yaml`: the first
 * rule matching `path` gives the age recipients and the encryption options;
 * `extraRecipients` (e.g. `--age`) replace the rule's recipients when given.
 */
export const encryptForPath = async (
  path: string,
  text: string,
  config: SopsConfig | undefined,
  options: { readonly recipients?: ReadonlyArray<string> | undefined; readonly format?: Format | undefined; readonly lastModified?: string | undefined } = {},
): Promise<string> => {
  const rule = config ? recipientsFor(path, config) : undefined
  const recipients = options.recipients?.length ? options.recipients : (rule?.age ?? [])
  if (recipients.length === 0) {
    const why = !config
      ? "no .sops.yaml and no --age recipients"
      : !rule
        ? "no creation rule of .sops.yaml matches the path"
        : rule.otherKeys.length
          ? `its creation rule has only ${rule.otherKeys.join(", ")} keys, no age recipients`
          : "its creation rule has no age recipients"
    throw new SopsError("InvalidConfig", `${path}: cannot encrypt: ${why}`)
  }
  return encrypt(text, options.format ?? formatFromPath(path), recipients, {
    file: path,
    unencryptedSuffix: rule?.unencryptedSuffix,
    encryptedSuffix: rule?.encryptedSuffix,
    unencryptedRegex: rule?.unencryptedRegex,
    encryptedRegex: rule?.encryptedRegex,
    macOnlyEncrypted: rule?.macOnlyEncrypted,
    lastModified: options.lastModified,
  })
}
