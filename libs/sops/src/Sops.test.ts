// Round trips, encryption rules, types, order, comments and errors of
// encrypt/decrypt/rotate; every failure message is checked for plaintext.
import assert from "node:assert/strict"
import { test } from "node:test"
import { parse } from "yaml"
import { unwrapDataKey } from "./internal/Age.ts"
import { decryptValue } from "./internal/Cipher.ts"
import { DataKeyCache, decrypt, encrypt, generateAgeIdentity, isEncrypted, recipientsOf, rotate, SopsError, type Format } from "./index.ts"

const a = await generateAgeIdentity()
const b = await generateAgeIdentity()
const c = await generateAgeIdentity()

// Every plaintext value used below: no error may ever contain one of them.
const SECRETS = ["hunter2-s3cret", "p@ssw0rd-zebra", "tok-8f1e2d", "line-one-secret", "env-secret-value", "binary-secret-blob"]

const yamlDoc = `# leading comment
apiVersion: v1
kind: Secret
metadata:
  name: db # trailing comment
  labels:
    "10": ten
stringData:
  # comment inside
  password: hunter2-s3cret
  "2": two
  "1": one
  port: 0x1F
  legacyOctal: 0777
  ratio: 1.50
  big: 1e3
  enabled: true
  yes: yes
  stamp: 2024-01-02T03:04:05Z
  quoted: "123"
  empty: ""
  nothing: null
  multi: |
    line-one-secret
    line two
  list:
    - p@ssw0rd-zebra
    - 3
    - key: tok-8f1e2d
  token_unencrypted: visible
`

test("yaml round trip with two recipients: either key decrypts, types and order kept", async () => {
  const enc = await encrypt(yamlDoc, "yaml", [a.recipient, b.recipient])
  for (const s of SECRETS) assert.ok(!enc.includes(s), `ciphertext holds ${s}`)
  assert.match(enc, /token_unencrypted: visible/)
  assert.match(enc, /port: ENC\[AES256_GCM,data:[^\]]*type:int\]/)
  assert.match(enc, /ratio: ENC\[[^\]]*type:float\]/)
  assert.match(enc, /enabled: ENC\[[^\]]*type:bool\]/)
  assert.match(enc, /stamp: ENC\[[^\]]*type:str\]/)
  assert.match(enc, /empty: ""/)
  assert.match(enc, /nothing: null/)
  assert.deepEqual(recipientsOf(enc, "yaml"), [a.recipient, b.recipient])
  assert.equal(isEncrypted(enc, "yaml"), true)
  assert.equal(isEncrypted(yamlDoc, "yaml"), false)
  for (const id of [a.identity, b.identity]) {
    const out = await decrypt(enc, "yaml", [id])
    assert.equal(
      out,
      yamlDoc
        .replace("0x1F", "31")
        .replace("0777", "511")
        .replace("1.50", "1.5")
        .replace("1e3", "1000"),
    )
  }
  await assert.rejects(decrypt(enc, "yaml", [c.identity]), (e: unknown) => e instanceof SopsError && e.reason === "NoMatchingIdentity")
})

test("yaml: integer-like keys keep file order (a JS object would move them first)", async () => {
  const doc = "z: 1\n\"10\": ten\n\"2\": two\na: x\n"
  const out = await decrypt(await encrypt(doc, "yaml", [a.recipient]), "yaml", [a.identity])
  assert.equal(out, doc)
})

test("yaml: several documents share one data key and one MAC", async () => {
  const doc = "a: one-secret\n---\nb: two-secret\n"
  const enc = await encrypt(doc, "yaml", [a.recipient])
  assert.equal(enc.match(/^sops:/gm)?.length, 2)
  assert.equal(await decrypt(enc, "yaml", [a.identity]), doc)
  // swapping documents breaks the MAC order
  const [d1, d2] = enc.split(/^---\n/m)
  await assert.rejects(decrypt(`${d2}---\n${d1}`, "yaml", [a.identity]), (e: unknown) => e instanceof SopsError && e.reason === "DecryptionFailed")
})

test("encryption rules choose the encrypted values", async (t) => {
  const doc = "data:\n  k: v1\nother:\n  k: v2\nx_enc: v3\nplain_unencrypted: v4\n"
  const cases: Array<[string, Record<string, string | boolean>, string[], string[]]> = [
    ["default suffix", {}, ["data.k", "other.k", "x_enc"], ["plain_unencrypted"]],
    ["encrypted_regex", { encryptedRegex: "^(data|stringData)$" }, ["data.k"], ["other.k", "x_enc", "plain_unencrypted"]],
    ["unencrypted_regex", { unencryptedRegex: "^other$" }, ["data.k", "x_enc", "plain_unencrypted"], ["other.k"]],
    ["encrypted_suffix", { encryptedSuffix: "_enc" }, ["x_enc"], ["data.k", "other.k", "plain_unencrypted"]],
    ["unencrypted_suffix", { unencryptedSuffix: "_unencrypted" }, ["data.k", "other.k", "x_enc"], ["plain_unencrypted"]],
    ["mac_only_encrypted", { encryptedRegex: "^data$", macOnlyEncrypted: true }, ["data.k"], ["other.k"]],
  ]
  for (const [name, opts, encrypted, clear] of cases) {
    await t.test(name, async () => {
      const enc = await encrypt(doc, "yaml", [a.recipient], opts)
      const line = (path: string) => {
        const [p, k] = path.includes(".") ? path.split(".") : [undefined, path]
        const re = p ? new RegExp(`^${p}:\\n {2}${k}: (.*)$`, "m") : new RegExp(`^${k}: (.*)$`, "m")
        return re.exec(enc)?.[1] ?? ""
      }
      for (const p of encrypted) assert.match(line(p), /^ENC\[/, `${p} should be encrypted`)
      for (const p of clear) assert.doesNotMatch(line(p), /^ENC\[/, `${p} should stay clear`)
      assert.equal(await decrypt(enc, "yaml", [a.identity]), doc)
    })
  }
  await t.test("mac_only_encrypted: clear values may change, encrypted ones may not", async () => {
    const enc = await encrypt(doc, "yaml", [a.recipient], { encryptedRegex: "^data$", macOnlyEncrypted: true })
    assert.match(enc, /mac_only_encrypted: true/)
    assert.match(await decrypt(enc.replace("  k: v2", "  k: changed"), "yaml", [a.identity]), /k: changed/)
    const full = await encrypt(doc, "yaml", [a.recipient], { encryptedRegex: "^data$" })
    await assert.rejects(decrypt(full.replace("  k: v2", "  k: changed"), "yaml", [a.identity]), /MAC mismatch/)
  })
  await t.test("two rules at once are refused", async () => {
    await assert.rejects(encrypt(doc, "yaml", [a.recipient], { encryptedRegex: "a", unencryptedSuffix: "_u" }), /only one of/)
  })
})

test("json, dotenv and binary round trips", async (t) => {
  const cases: Array<[Format, string]> = [
    ["json", '{\n\t"b": "p@ssw0rd-zebra",\n\t"10": 1,\n\t"a": {\n\t\t"n": [\n\t\t\t1.5,\n\t\t\ttrue,\n\t\t\tnull,\n\t\t\t"tok-8f1e2d"\n\t\t]\n\t},\n\t"e": {}\n}\n'],
    ["dotenv", "# a comment\nA=env-secret-value\nB=two\\nlines\nC_unencrypted=clear\n"],
    ["binary", "\u0000binary-secret-blob\n\u00ff line\n"],
  ]
  for (const [format, text] of cases) {
    await t.test(format, async () => {
      const enc = await encrypt(text, format, [a.recipient, b.recipient])
      for (const s of SECRETS) assert.ok(!enc.includes(s))
      assert.equal(isEncrypted(enc, format), true)
      assert.equal(await decrypt(enc, format, [b.identity]), text)
    })
  }
})

test("rotate adds a recipient without touching values, MAC or lastmodified", async () => {
  const enc = await encrypt(yamlDoc, "yaml", [a.recipient], { encryptedRegex: "^stringData$" })
  const rotated = await rotate(enc, "yaml", [a.identity], [c.recipient, a.recipient])
  assert.deepEqual(recipientsOf(rotated, "yaml"), [a.recipient, c.recipient])
  const body = (s: string) => s.split(/^sops:/m)[0]
  assert.equal(body(rotated), body(enc))
  const field = (s: string, f: string) => new RegExp(`^ {2}${f}: (.*)$`, "m").exec(s)?.[1]
  assert.equal(field(rotated, "mac"), field(enc, "mac"))
  assert.equal(field(rotated, "lastmodified"), field(enc, "lastmodified"))
  assert.equal(await decrypt(rotated, "yaml", [c.identity]), await decrypt(enc, "yaml", [a.identity]))
  // a file that does not verify is not re-keyed
  await assert.rejects(rotate(enc.replace("name: db", "name: eve"), "yaml", [a.identity], [b.recipient]), /MAC mismatch/)
  await assert.rejects(rotate(enc, "yaml", [b.identity], [b.recipient]), (e: unknown) => e instanceof SopsError && e.reason === "NoMatchingIdentity")
  const removed = await rotate(rotated, "yaml", [c.identity], [], { removeRecipients: [a.recipient] })
  assert.deepEqual(recipientsOf(removed, "yaml"), [c.recipient])
})

test("bad input: clear errors with lines, and no plaintext in any error", async (t) => {
  const errors: unknown[] = []
  const fails = async (name: string, p: () => Promise<unknown>, reason: string, re: RegExp) => {
    await t.test(name, async () => {
      await assert.rejects(p(), (e: unknown) => {
        errors.push(e)
        assert.ok(e instanceof SopsError, String(e))
        assert.equal(e.reason, reason, e.message)
        assert.match(e.message, re)
        return true
      })
    })
  }
  const enc = await encrypt(yamlDoc, "yaml", [a.recipient])
  const encEnv = await encrypt("A=env-secret-value\n", "dotenv", [a.recipient])
  await fails("malformed yaml names the line", () => decrypt(`${enc}\n  bad: [unclosed\n`, "yaml", [a.identity], { file: "s.yaml" }), "ParseError", /^s\.yaml: invalid YAML at line \d+/)
  await fails("malformed plaintext yaml does not echo the line", () => encrypt("a: 1\npassword: hunter2-s3cret: x\n", "yaml", [a.recipient]), "ParseError", /invalid YAML at line 2/)
  await fails("malformed json", () => decrypt('{"password": "p@ssw0rd-zebra",\n  oops}', "json", [a.identity]), "ParseError", /invalid JSON at line 2/)
  await fails("malformed dotenv", () => encrypt("A=env-secret-value\nline-one-secret\n", "dotenv", [a.recipient]), "ParseError", /invalid dotenv at line 2/)
  await fails("wrong identity", () => decrypt(enc, "yaml", [b.identity], { file: "s.yaml" }), "NoMatchingIdentity", new RegExp(a.recipient))
  await fails("no identity", () => decrypt(enc, "yaml", []), "NoMatchingIdentity", /no identities were given/)
  // Tampering flips the first ciphertext character to a different one (a fixed "A" would be a no-op 1 time in 64).
  const flip = (text: string, prefix: string) => text.replace(new RegExp(`${prefix.replace(/[[\]]/g, "\\$&")}(.)`), (_m, c: string) => `${prefix}${c === "A" ? "B" : "A"}`)
  await fails("tampered value", () => decrypt(flip(enc, "password: ENC[AES256_GCM,data:"), "yaml", [a.identity]), "DecryptionFailed", /stringData\.password/)
  await fails("tampered cleartext", () => decrypt(enc.replace("token_unencrypted: visible", "token_unencrypted: changed"), "yaml", [a.identity]), "DecryptionFailed", /MAC mismatch/)
  await fails("value swapped with another", () => {
    const pw = /password: (ENC\[[^\]]*\])/.exec(enc)![1]!
    return decrypt(enc.replace(/- key: ENC\[[^\]]*\]/, `- key: ${pw}`), "yaml", [a.identity])
  }, "DecryptionFailed", /stringData\.list\.key failed to decrypt/)
  await fails("tampered dotenv mac", () => decrypt(flip(encEnv, "sops_mac=ENC[AES256_GCM,data:"), "dotenv", [a.identity]), "DecryptionFailed", /MAC/)
  const vault = enc.replace(/^sops:\n {2}age:\n(?: {4}.*\n)+/m, "sops:\n  hc_vault:\n    - vault_address: https://vault:8200\n      engine_path: sops\n      key_name: k\n      enc: vault:v1:abc\n  kms:\n    - arn: arn:aws:kms:x\n      enc: AQE=\n")
  await fails("vault and kms only", () => decrypt(vault, "yaml", [a.identity], { file: "v.yaml" }), "UnsupportedKeyType", /^v\.yaml: the data key is wrapped for kms, hc_vault only/)
  await fails("not encrypted", () => decrypt(yamlDoc, "yaml", [a.identity]), "NotEncrypted", /not encrypted/)
  await fails("already encrypted", () => encrypt(enc, "yaml", [a.recipient]), "AlreadyEncrypted", /already encrypted/)
  await fails("bad recipient", () => encrypt(yamlDoc, "yaml", ["age1nope"]), "InvalidInput", /invalid age recipient/)
  await fails("no recipients", () => encrypt(yamlDoc, "yaml", []), "InvalidInput", /no age recipients/)
  await fails("sequence document", () => encrypt("- hunter2-s3cret\n", "yaml", [a.recipient]), "ParseError", /must be a mapping/)
  await fails("unknown format", () => decrypt(enc, "toml" as Format, [a.identity]), "InvalidInput", /unknown format/)
  await t.test("no error message, stack or field holds a plaintext value or a secret key", () => {
    assert.ok(errors.length >= 15)
    for (const e of errors) {
      const all = `${(e as Error).message}\n${(e as Error).stack}\n${JSON.stringify(e)}\n${String(e)}`
      for (const s of SECRETS) assert.ok(!all.includes(s), `error "${(e as Error).message}" leaks ${s}`)
      assert.ok(!all.includes("AGE-SECRET-KEY"), "error leaks an identity")
    }
  })
})

test("DataKeyCache: a file decrypted again skips the key agreement, tampering still fails", async () => {
  const cache = new DataKeyCache()
  const enc = await encrypt(yamlDoc, "yaml", [a.recipient, b.recipient])
  assert.equal(await decrypt(enc, "yaml", [b.identity], { cache }), await decrypt(enc, "yaml", [b.identity]))
  assert.equal(cache.size, 1)
  assert.equal(await decrypt(enc, "yaml", [b.identity], { cache }), await decrypt(enc, "yaml", [a.identity]))
  assert.equal(cache.size, 1)
  // another identity set does not get the cached key
  await assert.rejects(decrypt(enc, "yaml", [c.identity], { cache }), (e: unknown) => e instanceof SopsError && e.reason === "NoMatchingIdentity")
  await assert.rejects(decrypt(enc.replace("token_unencrypted: visible", "token_unencrypted: eve"), "yaml", [b.identity], { cache }), /MAC mismatch/)
})

test("yaml comments are encrypted under the path sops files them under", async () => {
  const doc = "# top\na: # on-key\n  b: x # after-value\nl:\n  - 1 # in-list\nm:\n  # head\n  n: y\n"
  const enc = await encrypt(doc, "yaml", [a.recipient])
  // the yaml printer moves a key's line comment onto the next line (it does so without encryption too)
  assert.equal(await decrypt(enc, "yaml", [a.identity]), doc.replace("a: # on-key\n", "a:\n  # on-key\n"))
  const md = parse(enc).sops as { age: Array<{ recipient: string; enc: string }> }
  const key = (await unwrapDataKey(md.age, [a.identity]))!
  const want: Record<string, string> = { " top": ":", " on-key": ":", " after-value": "a:", " in-list": "l:", " head": "m:" }
  const found = [...enc.matchAll(/#(ENC\[[^\]]*type:comment\])/g)].map((m) => m[1]!)
  assert.equal(found.length, 5)
  for (const c of found) {
    const hit = Object.entries(want).find(([text, aad]) => decryptValue(c, key, aad)?.text === text)
    assert.ok(hit, `comment ${c.slice(0, 40)} opens under none of the expected paths`)
  }
})

test("yaml parse errors never quote the document", async () => {
  const bad = [
    "a: 1\n}hunter2-s3cret\n",
    "a: *hunter2-s3cret\n",
    "a: \"hunter2-s3cret\n",
    "a: [hunter2-s3cret\n",
    "hunter2-s3cret\n  - x: y\n",
    "a: b: hunter2-s3cret\n",
    "a: &x 1\nb: *y\n",
  ]
  for (const text of bad) {
    await assert.rejects(encrypt(text, "yaml", [a.recipient]), (e: unknown) => {
      assert.ok(e instanceof SopsError, String(e))
      assert.ok(!`${e.message}${e.stack}`.includes("hunter2"), `${JSON.stringify(text)}: ${e.message}`)
      return true
    })
  }
})

test("yaml aliases are expanded, as sops does, so every copy is encrypted", async () => {
  const enc = await encrypt("base: &b\n  pw: alias-secret\ncopy: *b\n", "yaml", [a.recipient])
  assert.ok(!enc.includes("alias-secret"))
  assert.equal(enc.match(/pw: ENC\[/g)?.length, 2)
  assert.equal(await decrypt(enc, "yaml", [a.identity]), "base:\n  pw: alias-secret\ncopy:\n  pw: alias-secret\n")
})
