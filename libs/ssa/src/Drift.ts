// Drift: which fields this manager applied now hold other values in the live object. Pure,
// so a watcher can call it on every watch event and re-apply only when it says so.
import type { FieldChange } from "./ChangeSet.ts"
import { drifted, maskSecret } from "./internal/Compare.ts"

/** Only the fields an apply sets are compared: metadata keeps just labels and annotations. */
const applied = (obj: any): any => {
  const { status: _s, metadata, ...rest } = obj ?? {}
  const m: Record<string, unknown> = {}
  if (metadata?.labels) m.labels = metadata.labels
  if (metadata?.annotations) m.annotations = metadata.annotations
  return { ...rest, metadata: m }
}

/**
 * The fields of `desired` (what was applied) whose live values differ, as paths with the
 * applied and live values (Secret data masked). Fields other managers add are not drift;
 * associative list items (containers, ports, env...) are matched by their key.
 */
export const drift = (desired: unknown, live: unknown): FieldChange[] => {
  const kind = (desired as { kind?: string })?.kind ?? ""
  if (live === undefined || live === null) return [{ path: "", after: "(object)" }]
  return maskSecret(kind, drifted(applied(desired), live))
}

/**
 * The field paths the given manager owns in a live object, from `metadata.managedFields`
 * (fieldsV1 `f:`/`k:` keys), e.g. "spec.replicas", "spec.template.spec.containers[name=app].image".
 */
export const managedPaths = (live: unknown, fieldManager: string): string[] => {
  const mf = (live as { metadata?: { managedFields?: { manager?: string; fieldsV1?: unknown }[] } })?.metadata?.managedFields
  const out: string[] = []
  const walk = (node: unknown, path: string) => {
    if (typeof node !== "object" || node === null) return
    const keys = Object.keys(node).filter((k) => k !== ".")
    if (keys.length === 0 && path) out.push(path)
    for (const k of keys) {
      if (k.startsWith("f:")) walk((node as Record<string, unknown>)[k], path ? `${path}.${k.slice(2)}` : k.slice(2))
      else if (k.startsWith("k:")) {
        let sel = k.slice(2)
        try {
          sel = Object.entries(JSON.parse(sel) as Record<string, unknown>).map(([a, b]) => `${a}=${String(b)}`).join(",")
        } catch {
          // keep the raw key
        }
        walk((node as Record<string, unknown>)[k], `${path}[${sel}]`)
      } else if (k.startsWith("v:")) out.push(`${path}[${k.slice(2)}]`)
    }
  }
  for (const e of Array.isArray(mf) ? mf : []) if (e?.manager === fieldManager) walk(e.fieldsV1, "")
  return [...new Set(out)].sort()
}
