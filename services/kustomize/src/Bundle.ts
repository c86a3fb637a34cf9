// The bundle a Kustomization sends to an apply actor: the built objects as
// one multi-document YAML file, keys in build order (not sorted: a SOPS MAC
// is computed over values in the order of the encrypted file), Secrets still
// SOPS-encrypted. Stored in the object store by digest.
import { isDeepStrictEqual } from "node:util"
import { parseAllDocuments, stringify } from "yaml"
import type { KubeObject } from "@moor/kube"

/** The source text of SOPS-encrypted documents, by their MAC (unique per encrypted file). */
export type SopsSources = ReadonlyMap<string, { readonly text: string; readonly object: unknown }>

/** Collects the SOPS-encrypted documents of files a build read. */
export const sopsSourcesOf = (texts: Iterable<string>): SopsSources => {
  const out = new Map<string, { text: string; object: unknown }>()
  for (const t of texts) {
    if (!t.includes("mac: ENC[")) continue
    for (const d of parseAllDocuments(t) as Iterable<ReturnType<typeof parseAllDocuments>[number]>) {
      if (d.errors?.length) continue
      const object = d.toJS() as KubeObject | null
      const mac = (object as { sops?: { mac?: unknown } } | null)?.sops?.mac
      if (typeof mac === "string") out.set(mac, { text: d.toString({ lineWidth: 0 }), object })
    }
  }
  return out
}

// Order-insensitive equality: the build parsed the file into plain objects, which move
// integer-like keys ("10") first; the MAC needs the file's own order back.
const sameContent = (a: unknown, b: unknown): boolean => isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)))

/**
 * Multi-document YAML of the objects, in order. A SOPS manifest the build left as it was is
 * emitted as its source document's text, so the MAC sees the file's own key order.
 */
export const encodeBundle = (objects: ReadonlyArray<KubeObject>, sources: SopsSources = new Map()): Uint8Array =>
  new TextEncoder().encode(
    objects
      .map((o) => {
        const mac = isSopsManifest(o) ? (o as { sops: { mac: string } }).sops.mac : undefined
        const src = mac === undefined ? undefined : sources.get(mac)
        if (src && sameContent(src.object, o)) return src.text.endsWith("\n") ? src.text : `${src.text}\n`
        return stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })
      })
      .join("---\n"),
  )

/** A whole SOPS-encrypted manifest (a `sops` block with a MAC): decrypted only by the apply actor. */
export const isSopsManifest = (o: KubeObject): boolean => {
  const s = (o as { sops?: { mac?: unknown } }).sops
  return typeof s === "object" && s !== null && typeof s.mac === "string" && s.mac !== ""
}
