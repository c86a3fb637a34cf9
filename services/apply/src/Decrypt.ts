// The SOPS step of an apply, with the target cluster's own age key: Secrets
// of the bundle travel encrypted up to here. Identities come from
// spec.decryption.secretRef (owner's namespace) or flux-system/sops-age, read
// on the target cluster. Any failure is DecryptionFailed naming the object
// and its recipients, and nothing of the revision is applied.
import type { KubeClient, KubeObject } from "@moor/kube"
import type { ApplyBundle, ApplyOwner } from "@moor/protocol"
import {
  ageIdentitiesFromSecret,
  decryptObjects,
  DecryptionError,
  DEFAULT_AGE_SECRET,
  isDecryptionDisabled,
  isSopsEncrypted as sopsEncrypted,
  SopsError,
} from "@moor/sops"
import { ApplyFailure } from "./Errors.ts"

/** One document of a bundle: its text (the key order a SOPS MAC was computed in), its object, its source file when named. */
export interface BundleDoc {
  readonly text: string
  readonly object: KubeObject
  readonly source?: string
}

/** The decrypted set and every plaintext value it holds (to redact from messages that leave the actor). */
export interface Decrypted {
  readonly objects: KubeObject[]
  readonly plaintexts: ReadonlyArray<string>
}

const nameOf = (o: KubeObject) => `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`


/** Does this object need decrypting: a whole SOPS manifest, or a Secret with SOPS-encrypted entries (secretGenerator)? */
export const isSopsEncrypted = (o: KubeObject): boolean => !isDecryptionDisabled(o as Record<string, unknown>) && sopsEncrypted(o)

/** String values a decrypted object now holds in clear (data decoded and as sent, stringData). */
const plaintextsOf = (o: KubeObject): string[] => {
  const out: string[] = []
  const walk = (v: unknown) => {
    if (typeof v === "string") {
      if (v.length >= 3) out.push(v)
    } else if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === "object") Object.values(v).forEach(walk)
  }
  for (const [k, v] of Object.entries(o)) {
    if (k === "apiVersion" || k === "kind" || k === "metadata") continue
    if (k === "data" && o.kind === "Secret" && v && typeof v === "object") {
      for (const b of Object.values(v as Record<string, unknown>)) {
        if (typeof b !== "string") continue
        out.push(b)
        const text = Buffer.from(b, "base64").toString("utf8")
        walk(text)
        for (const line of text.split("\n")) walk(line.includes("=") ? line.slice(line.indexOf("=") + 1) : line)
      }
    } else walk(v)
  }
  return out
}

/** Decrypts a bundle's SOPS-encrypted documents with the target cluster's age identities. */
export class Decryptor {
  /** Decrypts what needs it; `identities` is called only when a document is encrypted. */
  async decrypt(bundle: { readonly docs: ReadonlyArray<BundleDoc>; readonly sources: ReadonlyMap<string, string> }, o: { decryption: ApplyBundle["decryption"]; identities: () => Promise<string[]> }): Promise<Decrypted> {
    const docs = bundle.docs
    const needs = docs.filter((d) => isSopsEncrypted(d.object))
    if (needs.length === 0) return { objects: docs.map((d) => d.object), plaintexts: [] }
    if (!o.decryption)
      throw new ApplyFailure("DecryptionFailed", `${needs.map((d) => nameOf(d.object)).join(", ")} ${needs.length > 1 ? "are" : "is"} SOPS-encrypted but spec.decryption is not set; set spec.decryption.provider: sops`)
    const identities = await o.identities()
    const source = new Map<object, string>()
    for (const d of docs) if (d.source) source.set(d.object, d.source)
    const macOf = (x: Record<string, unknown>) => (x["sops"] as { mac?: unknown } | undefined)?.mac
    let objects: KubeObject[]
    try {
      // The source document (file order, values before the build changed any) verifies the MAC
      // when the object alone cannot; @moor/sops reads it only then.
      objects = (await decryptObjects(docs.map((d) => d.object) as unknown as Record<string, unknown>[], identities, {
        source: (x) => source.get(x),
        text: (x) => {
          const mac = macOf(x)
          return typeof mac === "string" ? bundle.sources.get(mac) : undefined
        },
      })) as unknown as KubeObject[]
    } catch (e) {
      if (e instanceof DecryptionError || e instanceof SopsError) throw new ApplyFailure("DecryptionFailed", e.message)
      throw new ApplyFailure("DecryptionFailed", `decryption failed (${(e as Error)?.name ?? "error"})`)
    }
    const plaintexts: string[] = []
    objects.forEach((x, i) => {
      if (x !== docs[i]!.object) plaintexts.push(...plaintextsOf(x))
    })
    return { objects, plaintexts }
  }
}

/**
 * The age identities of a decryption Secret on the target cluster: spec.decryption.secretRef in
 * the owner's namespace, else flux-system/sops-age. Errors name the Secret, never a key.
 */
export const loadIdentities = async (kube: KubeClient, owner: ApplyOwner, decryption: ApplyBundle["decryption"], describe: string): Promise<string[]> => {
  const ref = decryption?.secretRef
  const at = ref ? { namespace: owner.namespace, name: ref.name } : DEFAULT_AGE_SECRET
  let secret: KubeObject | undefined
  try {
    secret = await kube.find(await kube.resource("v1", "Secret"), at.namespace, at.name)
  } catch (e) {
    throw new ApplyFailure("DecryptionFailed", `cannot read decryption Secret '${at.namespace}/${at.name}' on ${describe}: ${(e as Error).message}`)
  }
  if (!secret) throw new ApplyFailure("DecryptionFailed", `decryption Secret '${at.namespace}/${at.name}' not found on ${describe}${ref ? "" : " (the default without spec.decryption.secretRef)"}`)
  try {
    return ageIdentitiesFromSecret(secret as Record<string, unknown>)
  } catch (e) {
    throw new ApplyFailure("DecryptionFailed", (e as Error).message)
  }
}

/** Replaces every plaintext value in a message (a server error may quote what it was sent). */
export const redact = (message: string, plaintexts: ReadonlyArray<string>): string => {
  let m = message
  for (const p of [...plaintexts].sort((a, b) => b.length - a.length)) if (m.includes(p)) m = m.split(p).join("***")
  return m
}
