// The bundle a Kustomization sends to an apply actor: the built objects as
// one multi-document YAML file, keys in build order (not sorted: a SOPS MAC
// is computed over values in the order of the encrypted file), Secrets still
// SOPS-encrypted. Stored in the object store by digest.
import { stringify } from "yaml"
import type { KubeObject } from "@moor/kube"

/** Multi-document YAML of the objects, in order. */
export const encodeBundle = (objects: ReadonlyArray<KubeObject>): Uint8Array =>
  new TextEncoder().encode(objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n"))

/** A whole SOPS-encrypted manifest (a `sops` block with a MAC): decrypted only by the apply actor. */
export const isSopsManifest = (o: KubeObject): boolean => {
  const s = (o as { sops?: { mac?: unknown } }).sops
  return typeof s === "object" && s !== null && typeof s.mac === "string" && s.mac !== ""
}
