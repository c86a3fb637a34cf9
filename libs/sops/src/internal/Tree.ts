// The format-neutral view sops computes over: the leaves of a document in
// file order, each with the path of keys leading to it (list indexes are not
// part of a path, as in sops), and a way to write the leaf back.
import type { Plain } from "./Cipher.ts"

export type Leaf = {
  /** keys from the root; the additional data of the value is `path.join(":") + ":"`. */
  readonly path: ReadonlyArray<string>
  /** a comment line (never part of the MAC). */
  readonly comment: boolean
  /** the value as it is stored now; an encrypted value is a `str` holding `ENC[...]`. */
  readonly value: Plain
  /** writes a decrypted value back with its type, or an encrypted string. */
  set(v: Plain | { readonly enc: string }): void
}

export type Tree = {
  readonly leaves: ReadonlyArray<Leaf>
  /** the raw `sops` value, when the file has one. */
  readonly metadata: unknown
  /** prints the document, with the given metadata block or without one. */
  emit(metadata: Record<string, unknown> | undefined): string
  /** the first document as plain data (no metadata), without printing and parsing again. */
  toValue?(): unknown
}

/** Supported file formats, named as sops names them (`--input-type`). */
export type Format = "yaml" | "json" | "dotenv" | "binary"

export const aadOf = (path: ReadonlyArray<string>): string => `${path.join(":")}:`
