// bench/sops: the cost of SOPS decryption against parsing the same files in
// clear, in the same run:
// - a 500-value YAML file (nested maps, lists, mixed types), encrypted to two
//   age recipients; reference: parsing and printing the cleartext file with `yaml`;
// - 200 small Secrets (3 stringData values each, encrypted_regex as Flux users
//   write it), decrypted one by one with decryptSecretManifest as the apply
//   path will; reference: parsing the 200 cleartext Secrets.
// Every decryption is first checked to give back the cleartext.
import assert from "node:assert/strict"
import { performance } from "node:perf_hooks"
import { parseAllDocuments } from "yaml"
import { DataKeyCache, decrypt, decryptSecretManifest, encrypt, generateAgeIdentity } from "@moor/sops"
import { median, quantile, report, type Row } from "../report.ts"

const cluster = await generateAgeIdentity()
const admin = await generateAgeIdentity()
const recipients = [cluster.recipient, admin.recipient]

/** Milliseconds of each of `rounds` runs of `f`, after `warmup` runs. */
const time = async (rounds: number, warmup: number, f: () => Promise<unknown> | unknown): Promise<number[]> => {
  for (let i = 0; i < warmup; i++) await f()
  const xs: number[] = []
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    await f()
    xs.push(performance.now() - t0)
  }
  return xs
}

// 500 values: 50 services x (5 strings, 1 int, 1 bool, a 3-item list)
const lines: string[] = ["# generated for bench/sops", "services:"]
for (let s = 0; s < 50; s++) {
  lines.push(`  svc${s}:`, `    # service ${s}`)
  for (let k = 0; k < 5; k++) lines.push(`    key${k}: value-${s}-${k}-${"x".repeat(20)}`)
  lines.push(`    port: ${8000 + s}`, `    enabled: ${s % 2 === 0}`, "    hosts:")
  for (let h = 0; h < 3; h++) lines.push(`      - host-${s}-${h}.example.com`)
}
const big = `${lines.join("\n")}\n`
const bigEnc = await encrypt(big, "yaml", recipients)
assert.equal(await decrypt(bigEnc, "yaml", [cluster.identity]), big)
const values = (bigEnc.match(/type:(str|int|float|bool)\]/g)?.length ?? 0) - 1 // minus the MAC
assert.ok(values >= 500, `the big file has ${values} encrypted values`)

const secretText = (i: number) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s${i}\n  namespace: apps\ntype: Opaque\nstringData:\n  username: user-${i}\n  password: pw-${i}-${"y".repeat(24)}\n  url: postgres://db-${i}.apps.svc:5432/app\n`
const plainSecrets = Array.from({ length: 200 }, (_, i) => secretText(i))
const encSecrets: string[] = []
for (const s of plainSecrets) encSecrets.push(await encrypt(s, "yaml", recipients, { encryptedRegex: "^(data|stringData)$" }))
const first = await decryptSecretManifest(encSecrets[7]!, [cluster.keyFile])
assert.deepEqual(first.object, parseAllDocuments(plainSecrets[7]!)[0]!.toJS())

const parseOnly = (t: string) => {
  const d = parseAllDocuments(t)
  return Array.isArray(d) ? d.map((x) => x.toString()) : []
}
const bigParse = await time(100, 20, () => parseOnly(big))
const bigDecrypt = await time(30, 5, () => decrypt(bigEnc, "yaml", [cluster.identity]))
const secretsParse = await time(20, 3, () => plainSecrets.map((s) => parseAllDocuments(s)[0]!.toJS()))
const secretsDecrypt = await time(9, 1, async () => {
  for (const s of encSecrets) await decryptSecretManifest(s, [cluster.keyFile])
})
// a DataKeyCache (one per cluster key in the apply actor): an unchanged revision decrypted again
const cache = new DataKeyCache()
const secretsCached = await time(9, 1, async () => {
  for (const s of encSecrets) await decryptSecretManifest(s, [cluster.keyFile], { cache })
})
// the age step alone: unwrapping one X25519 stanza is most of a small Secret's cost
const oneSecret = await time(200, 20, () => decryptSecretManifest(encSecrets[0]!, [cluster.keyFile]))

const mBigP = median(bigParse), mBigD = median(bigDecrypt)
const mSecP = median(secretsParse), mSecD = median(secretsDecrypt)
const rows: Row[] = [
  { metric: `${values}-value YAML file: decrypt + MAC check (median)`, moor: mBigD, reference: mBigP, referenceName: "parse+print clear", unit: "ms" },
  { metric: `${values}-value YAML file: decrypt (p90)`, moor: quantile(bigDecrypt, 0.9), reference: quantile(bigParse, 0.9), referenceName: "parse+print clear", unit: "ms" },
  { metric: "200 small Secrets: decrypt all (median)", moor: mSecD, reference: mSecP, referenceName: "parse clear", unit: "ms" },
  { metric: "200 small Secrets: decrypt all, data keys cached (median)", moor: median(secretsCached), reference: mSecP, referenceName: "parse clear", unit: "ms" },
  { metric: "one small Secret: decrypt (median)", moor: median(oneSecret), reference: mSecP / 200, referenceName: "parse clear", unit: "ms" },
  { metric: "one small Secret: decrypt (p99)", moor: quantile(oneSecret, 0.99), unit: "ms" },
]
report("sops", rows, {
  note: "Decryption cost per file; the issue's target (decryption adds <= 20% to a build) is measured against the whole build by the apply integration.",
  bigFileBytes: bigEnc.length,
  bigFileValues: values,
  secrets: encSecrets.length,
  recipientsPerFile: recipients.length,
  ratioBig: mBigD / mBigP,
  ratioSecrets: mSecD / mSecP,
  ratioSecretsCached: median(secretsCached) / mSecP,
})
