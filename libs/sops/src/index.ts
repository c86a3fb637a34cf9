// @moor/sops: SOPS files (YAML, JSON, dotenv, binary) encrypted for age
// recipients: decrypt with MAC verification, encrypt, add recipients,
// `.sops.yaml` creation rules, and Kubernetes Secrets as Flux decrypts them.
export { SopsError, type SopsErrorReason } from "./Errors.ts"
export {
  decrypt,
  encrypt,
  rotate,
  isEncrypted,
  recipientsOf,
  type CommonOptions,
  type EncryptOptions,
  type EncryptionRules,
  type Format,
} from "./Sops.ts"
export { parseSopsConfig, recipientsFor, formatFromPath, encryptForPath, type SopsConfig, type CreationRule } from "./Config.ts"
export { DataKeyCache } from "./internal/Age.ts"
export { generateAgeIdentity, recipientsOfIdentities, parseIdentities } from "./Keys.ts"
export {
  decryptSecretManifest,
  decryptAs,
  detectEncryptedFormat,
  isDecryptionDisabled,
  DECRYPT_ANNOTATION,
  DEFAULT_AGE_SECRET,
  ageIdentitiesFromSecret,
  ageKeySecret,
  decryptGeneratorSource,
  type DecryptedManifest,
} from "./Secret.ts"
export { decryptObjects, isSopsEncrypted, DecryptionError, objectRef, type DecryptObjectsOptions } from "./Objects.ts"
