// Interop with the real age CLI (Debian's `age` package): the data key moor
// wraps opens with `age -d`, keys from `age-keygen` work with moor, and a data
// key wrapped by `age -e` opens with moor. Skips when age is not installed.
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { createDecipheriv } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "node:test"
import { parse } from "yaml"
import { decrypt, encrypt, generateAgeIdentity } from "./index.ts"

const hasAge = spawnSync("age", ["--version"]).status === 0 && spawnSync("age-keygen", ["--version"]).status === 0
const skip = hasAge ? undefined : "the age CLI is not installed (apt-get install age, or scripts/deps.sh --test)"
if (skip) console.log(`# skipping age CLI tests: ${skip}`)

const run = (cmd: string, args: string[], input?: Buffer | string): Buffer => {
  const r = spawnSync(cmd, args, { input, timeout: 20_000 })
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}: ${r.stderr?.toString()}`)
  return r.stdout
}

test("age CLI: interop on the data key in both directions", { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "moor-sops-age-"))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const cliKey = join(dir, "cli.txt")
  run("age-keygen", ["-o", cliKey])
  const cliKeyText = readFileSync(cliKey, "utf8")
  const cliRecipient = run("age-keygen", ["-y", cliKey]).toString().trim()
  const mine = await generateAgeIdentity()

  const doc = "stringData:\n  password: cli-interop-secret\n"
  const enc = await encrypt(doc, "yaml", [mine.recipient, cliRecipient])
  const md = parse(enc).sops as { age: Array<{ recipient: string; enc: string }> }

  await t.test("the data key moor wraps opens with age -d, and opens the values by the SOPS format", () => {
    const entry = md.age.find((e) => e.recipient === cliRecipient)!
    const dataKey = run("age", ["-d", "-i", cliKey], entry.enc)
    assert.equal(dataKey.length, 32)
    const m = /password: ENC\[AES256_GCM,data:([^,]*),iv:([^,]*),tag:([^,]*),type:str\]/.exec(enc)!
    const d = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(m[2]!, "base64"))
    d.setAAD(Buffer.from("stringData:password:"))
    d.setAuthTag(Buffer.from(m[3]!, "base64"))
    const plain = Buffer.concat([d.update(Buffer.from(m[1]!, "base64")), d.final()]).toString()
    assert.equal(plain, "cli-interop-secret")
  })

  await t.test("an identity file from age-keygen decrypts with moor", async () => {
    assert.equal(await decrypt(enc, "yaml", [cliKeyText]), doc)
  })

  await t.test("a data key wrapped by age -e -a opens with moor", async () => {
    const entry = md.age.find((e) => e.recipient === mine.recipient)!
    const dataKey = run("age", ["-d", "-i", cliKey], md.age.find((e) => e.recipient === cliRecipient)!.enc)
    const other = join(dir, "other.txt")
    run("age-keygen", ["-o", other])
    const otherRecipient = run("age-keygen", ["-y", other]).toString().trim()
    const wrapped = run("age", ["-e", "-a", "-r", otherRecipient], dataKey).toString()
    // replace moor's own stanza by the one the CLI wrote
    const swapped = enc.replace(mine.recipient, otherRecipient).replace(indentBlock(entry.enc), indentBlock(wrapped))
    assert.notEqual(swapped, enc)
    assert.equal(await decrypt(swapped, "yaml", [readFileSync(other, "utf8")]), doc)
    await assert.rejects(decrypt(swapped, "yaml", [mine.identity]), /no age identity/)
  })
})

const indentBlock = (armored: string): string =>
  armored
    .trimEnd()
    .split("\n")
    .map((l) => `        ${l}`)
    .join("\n")
