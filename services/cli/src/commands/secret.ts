// `moor secret age-keygen|encrypt|decrypt|rotate`: SOPS with age from the CLI,
// on @moor/sops. One age key per cluster; files encrypted to several recipients.
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { green, UsageError, type CliCommand } from "../Command.ts"
import { CliError, connect } from "../Kube.ts"
import { kubeconfigPath } from "../Target.ts"

const sops = () => import("@moor/sops")

/** The nearest .sops.yaml from the file's folder upwards, as sops looks for it. */
const findSopsConfig = (file: string): string | undefined => {
  for (let d = dirname(resolve(file)); ; d = dirname(d)) {
    for (const n of [".sops.yaml", ".sops.yml"]) if (existsSync(join(d, n))) return join(d, n)
    if (dirname(d) === d) return undefined
  }
}

const readInput = (file: string): string => {
  if (!existsSync(file)) throw new CliError(`${file} does not exist`)
  return readFileSync(file, "utf8")
}

/** Writes to --output/--in-place, else stdout. */
const emit = (text: string, file: string, v: { output?: string | undefined; "in-place"?: boolean | undefined }) => {
  if (v["in-place"]) writeFileSync(file, text)
  else if (v.output) writeFileSync(v.output, text)
  else process.stdout.write(text)
}

const sopsFailure = (e: unknown): never => {
  if (e instanceof Error && e.name === "SopsError") throw new CliError(e.message)
  throw e
}

const keygen = async (argv: string[]) => {
  const { values } = parseArgs({
    args: argv,
    options: { cluster: { type: "string" }, apply: { type: "boolean" }, output: { type: "string", short: "o" }, kubeconfig: { type: "string" }, namespace: { type: "string", short: "n", default: "flux-system" } },
    strict: true,
  })
  const { generateAgeIdentity, ageKeySecret } = await sops()
  const { keyFile, recipient } = await generateAgeIdentity()
  const labelled = values.cluster ? keyFile.replace(/^# created/, `# cluster: ${values.cluster}\n# created`) : keyFile
  if (values.output) writeFileSync(values.output, labelled, { mode: 0o600 })
  if (values.apply) {
    const kube = await connect(kubeconfigPath(values.kubeconfig))
    try {
      await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: values.namespace! } }, { fieldManager: "moor" })
      await kube.apply(ageKeySecret(labelled, { namespace: values.namespace! }) as never, { fieldManager: "moor", force: true })
    } finally {
      kube.close()
    }
    process.stderr.write(`${green("✔")} stored the identity as secret ${values.namespace}/sops-age (key age.agekey)\n`)
  }
  if (!values.output && !values.apply) process.stdout.write(labelled)
  // The recipient is public: print it for .sops.yaml and `moor secret encrypt --age`.
  process.stderr.write(`public key: ${recipient}\n`)
  return 0
}

const encryptCmd = async (argv: string[]) => {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { age: { type: "string" }, output: { type: "string", short: "o" }, "in-place": { type: "boolean", short: "i" } },
    allowPositionals: true,
    strict: true,
  })
  const file = positionals[0]
  if (!file) throw new UsageError("give the FILE to encrypt")
  const { encryptForPath, parseSopsConfig } = await sops()
  const recipients = values.age?.split(",").map((s) => s.trim()).filter(Boolean)
  const cfgPath = findSopsConfig(file)
  if (!recipients && !cfgPath) throw new UsageError("no recipients: pass --age R1,R2 or add a .sops.yaml with creation_rules")
  const config = cfgPath ? parseSopsConfig(readFileSync(cfgPath, "utf8")) : undefined
  const rel = cfgPath ? resolve(file).slice(dirname(cfgPath).length + 1) : file
  const out = await encryptForPath(rel, readInput(file), config, recipients ? { recipients } : {}).catch(sopsFailure)
  emit(out, file, values)
  return 0
}

const identitiesFrom = (file: string | undefined): string => {
  const f = file ?? process.env.SOPS_AGE_KEY_FILE
  if (f) return readInput(f)
  if (process.env.SOPS_AGE_KEY) return process.env.SOPS_AGE_KEY
  throw new UsageError("no identity: pass --identity FILE (or set SOPS_AGE_KEY_FILE)")
}

const decryptCmd = async (argv: string[]) => {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { identity: { type: "string" }, output: { type: "string", short: "o" }, "in-place": { type: "boolean", short: "i" } },
    allowPositionals: true,
    strict: true,
  })
  const file = positionals[0]
  if (!file) throw new UsageError("give the FILE to decrypt")
  const { decrypt, formatFromPath, parseIdentities } = await sops()
  const ids = parseIdentities(identitiesFrom(values.identity))
  const out = await decrypt(readInput(file), formatFromPath(file), ids, { file }).catch(sopsFailure)
  emit(out, file, values)
  return 0
}

const rotateCmd = async (argv: string[]) => {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { "add-age": { type: "string" }, "rm-age": { type: "string" }, identity: { type: "string" }, output: { type: "string", short: "o" }, "in-place": { type: "boolean", short: "i" } },
    allowPositionals: true,
    strict: true,
  })
  const file = positionals[0]
  if (!file) throw new UsageError("give the FILE to rotate")
  const add = values["add-age"]?.split(",").filter(Boolean) ?? []
  const remove = values["rm-age"]?.split(",").filter(Boolean) ?? []
  if (add.length === 0 && remove.length === 0) throw new UsageError("pass --add-age R (or --rm-age R)")
  const { rotate, formatFromPath, parseIdentities } = await sops()
  const ids = parseIdentities(identitiesFrom(values.identity))
  const out = await rotate(readInput(file), formatFromPath(file), ids, add, remove.length ? { removeRecipients: remove } : {}).catch(sopsFailure)
  emit(out, file, values)
  return 0
}

export const secret: CliCommand = {
  path: ["secret"],
  summary: "SOPS secrets with age: age-keygen, encrypt, decrypt, rotate",
  help: `Usage:
  moor secret age-keygen [--cluster NAME] [--apply] [-o FILE] [-n flux-system]
  moor secret encrypt FILE [--age R1,R2] [-i | -o OUT]     (recipients from --age or .sops.yaml)
  moor secret decrypt FILE --identity KEYFILE [-i | -o OUT]
  moor secret rotate FILE --add-age R [--rm-age R] --identity KEYFILE [-i | -o OUT]

One age key per cluster: 'age-keygen --apply' stores the identity as the
sops-age secret that Kustomizations decrypt with; encrypt each secret to
several recipients (every cluster that needs it, and an admin key).

Example:
  moor secret encrypt apps/db-secret.yaml --age age1...cluster,age1...admin -i`,
  async run(argv) {
    const [sub, ...rest] = argv
    switch (sub) {
      case "age-keygen":
        return keygen(rest)
      case "encrypt":
        return encryptCmd(rest)
      case "decrypt":
        return decryptCmd(rest)
      case "rotate":
        return rotateCmd(rest)
      default:
        throw new UsageError(`moor secret ${sub ?? ""}: use age-keygen, encrypt, decrypt or rotate`)
    }
  },
}
