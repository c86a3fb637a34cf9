// The bundle a Kustomization sends to an apply actor: the built objects as
// one multi-document YAML file, keys in build order (not sorted: a SOPS MAC
// is computed over values in the order of the encrypted file), Secrets still
// SOPS-encrypted. Stored in the object store by digest.
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

/** The comment naming an encrypted document's source file (for DecryptionFailed messages). */
export const SOURCE_COMMENT = "moor-source:"

/** The last document of a bundle with SOPS manifests: their source documents, which the apply actor removes. */
export const SOURCES_API_VERSION = "bundle.moor.dev/v1"
export const SOURCES_KIND = "SopsSources"

/**
 * Multi-document YAML of the objects as built, in order (a plain object as one line of JSON,
 * which is YAML too, and a tenth of the cost to write and read for a set of thousands); `header` (a comment line naming the
 * owner and revision) makes the digest the owner's own, so old bundles can be dropped without
 * a scan. A SOPS manifest is preceded by a comment naming its source file, and the encrypted
 * source documents follow in a last `SopsSources` document: the MAC is over the file's own
 * key order and values, which the build's plain objects may not keep (integer-like keys move
 * first; targetNamespace, labels or a patch change fields), so decryption verifies it there.
 */
export const encodeBundle = (objects: ReadonlyArray<KubeObject>, sources: SopsSources = new Map(), header?: string): Uint8Array => {
  const used = new Map<string, { mac: string; path: string; text: string }>()
  const docs = objects.map((o) => {
    const mac = isSopsManifest(o) ? (o as unknown as { sops: { mac: string } }).sops.mac : undefined
    const src = mac === undefined ? undefined : sources.get(mac)
    if (src && mac) used.set(mac, { mac, path: src.path, text: src.text })
    if (mac === undefined) return JSON.stringify(o) + "\n"
    return (src ? `# ${SOURCE_COMMENT} ${src.path}\n` : "") + stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })
  })
  if (used.size) docs.push(stringify({ apiVersion: SOURCES_API_VERSION, kind: SOURCES_KIND, sources: [...used.values()] }, { lineWidth: 0 }))
  return new TextEncoder().encode((header ? `# ${header}\n` : "") + docs.join("---\n"))
}

/** A whole SOPS-encrypted manifest (a `sops` block with a MAC): decrypted only by the apply actor. */
export const isSopsManifest = (o: KubeObject): boolean => {
  const s = (o as { sops?: { mac?: unknown } }).sops
  return typeof s === "object" && s !== null && typeof s.mac === "string" && s.mac !== ""
}
