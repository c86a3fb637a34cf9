// The bundle a Kustomization sends to an apply actor: the built objects as
// one multi-document YAML file, keys in build order (not sorted: a SOPS MAC
// is computed over values in the order of the encrypted file), Secrets still
// SOPS-encrypted. Stored in the object store by digest.
import { isDeepStrictEqual } from "node:util"
import { parseAllDocuments, stringify } from "yaml"
import type { KubeObject } from "@moor/kube"

/** The source of SOPS-encrypted documents, by their MAC (unique per encrypted file): path, text, object. */
export type SopsSources = ReadonlyMap<string, { readonly path: string; readonly text: string; readonly object: unknown }>

/** Collects the SOPS-encrypted documents of files a build read (path -> text). */
export const sopsSourcesOf = (files: Iterable<readonly [string, string]>): SopsSources => {
  const out = new Map<string, { path: string; text: string; object: unknown }>()
  for (const [path, t] of files) {
    if (!t.includes("mac: ENC[")) continue
    for (const d of parseAllDocuments(t) as Iterable<ReturnType<typeof parseAllDocuments>[number]>) {
      if (d.errors?.length) continue
      const object = d.toJS() as KubeObject | null
      const mac = (object as { sops?: { mac?: unknown } } | null)?.sops?.mac
      if (typeof mac === "string") out.set(mac, { path, text: d.toString({ lineWidth: 0 }), object })
    }
  }
  return out
}

// Order-insensitive equality: the build parsed the file into plain objects, which move
// integer-like keys ("10") first; the MAC needs the file's own order back.
const sameContent = (a: unknown, b: unknown): boolean => isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)))

/** The comment naming an encrypted document's source file (for DecryptionFailed messages). */
export const SOURCE_COMMENT = "moor-source:"

/**
 * Multi-document YAML of the objects, in order. A SOPS manifest is preceded by a comment
 * naming its source file; one the build left as it was is emitted as its source document's
 * text, so the MAC sees the file's own key order. `header` (a comment line naming the owner and
 * revision) makes the digest the owner's own, so old bundles can be dropped without a scan.
 */
export const encodeBundle = (objects: ReadonlyArray<KubeObject>, sources: SopsSources = new Map(), header?: string): Uint8Array =>
  new TextEncoder().encode(
    (header ? `# ${header}\n` : "") +
    objects
      .map((o) => {
        const mac = isSopsManifest(o) ? (o as unknown as { sops: { mac: string } }).sops.mac : undefined
        const src = mac === undefined ? undefined : sources.get(mac)
        const head = src ? `# ${SOURCE_COMMENT} ${src.path}\n` : ""
        if (src && sameContent(src.object, o)) return head + (src.text.endsWith("\n") ? src.text : `${src.text}\n`)
        return head + stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })
      })
      .join("---\n"),
  )

/** A whole SOPS-encrypted manifest (a `sops` block with a MAC): decrypted only by the apply actor. */
export const isSopsManifest = (o: KubeObject): boolean => {
  const s = (o as { sops?: { mac?: unknown } }).sops
  return typeof s === "object" && s !== null && typeof s.mac === "string" && s.mac !== ""
}
