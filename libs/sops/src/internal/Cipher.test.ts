// Value encryption, Go number printing and go-yaml v3 scalar typing: the
// pieces the MAC depends on, table-driven.
import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { test } from "node:test"
import { decryptValue, encryptValue, formatFloat, macBytes, type Plain } from "./Cipher.ts"
import { classifyPlain } from "./YamlFormat.ts"

test("values: encrypted with their type, path-bound, empty strings left empty", () => {
  const key = randomBytes(32)
  const cases: Array<[Plain, string]> = [
    [{ type: "str", text: "héllo" }, "héllo"],
    [{ type: "int", text: "31" }, "31"],
    [{ type: "float", text: "1.5" }, "1.5"],
    // sops writes booleans title-cased
    [{ type: "bool", text: "true" }, "True"],
    [{ type: "bool", text: "false" }, "False"],
    [{ type: "comment", text: " a comment" }, " a comment"],
  ]
  for (const [p, stored] of cases) {
    const enc = encryptValue(p, key, "a:b:")
    assert.match(enc, new RegExp(`^ENC\\[AES256_GCM,data:[^,]+,iv:[^,]{44},tag:[^,]{24},type:${p.type}\\]$`))
    assert.deepEqual(decryptValue(enc, key, "a:b:"), { type: p.type, text: stored })
    assert.equal(decryptValue(enc, key, "a:c:"), undefined, "another path does not authenticate")
    assert.equal(decryptValue(enc, randomBytes(32), "a:b:"), undefined, "another key does not authenticate")
  }
  assert.equal(encryptValue({ type: "str", text: "" }, key, "a:"), "")
})

test("MAC bytes as sops's ToBytes prints decoded values", () => {
  const cases: Array<[Plain, string]> = [
    [{ type: "bool", text: "True" }, "True"],
    [{ type: "bool", text: "false" }, "False"],
    [{ type: "int", text: "+7" }, "7"],
    [{ type: "float", text: "1.50" }, "1.5"],
    [{ type: "float", text: "1e21" }, "1000000000000000000000"],
    [{ type: "float", text: "1e-7" }, "0.0000001"],
    [{ type: "str", text: "x" }, "x"],
  ]
  for (const [p, want] of cases) assert.equal(macBytes(p), want, JSON.stringify(p))
})

test("formatFloat is Go's FormatFloat(v, 'f', -1, 64)", () => {
  const cases: Array<[number, string]> = [
    [0, "0"],
    [-0, "-0"],
    [1.5, "1.5"],
    [123456789012345680000, "123456789012345680000"],
    [1.5e-10, "0.00000000015"],
    [Infinity, "+Inf"],
    [Number.NaN, "NaN"],
  ]
  for (const [v, want] of cases) assert.equal(formatFloat(v), want, String(v))
})

test("plain YAML scalars are typed as go-yaml v3 types them", () => {
  const cases: Array<[string, Plain | null]> = [
    ["", null],
    ["~", null],
    ["null", null],
    ["true", { type: "bool", text: "true" }],
    ["False", { type: "bool", text: "false" }],
    ["yes", { type: "str", text: "yes" }],
    ["on", { type: "str", text: "on" }],
    ["42", { type: "int", text: "42" }],
    ["-0x1F", { type: "int", text: "-31" }],
    ["0o17", { type: "int", text: "15" }],
    ["017", { type: "int", text: "15" }],
    ["0b101", { type: "int", text: "5" }],
    ["1_000", { type: "int", text: "1000" }],
    ["3.0", { type: "float", text: "3" }],
    ["1e3", { type: "float", text: "1000" }],
    [".5", { type: "float", text: "0.5" }],
    ["-.inf", { type: "float", text: "-Inf" }],
    [".NaN", { type: "float", text: "NaN" }],
    ["2024-01-02", { type: "str", text: "2024-01-02" }],
    ["2024-01-02T03:04:05Z", { type: "str", text: "2024-01-02T03:04:05Z" }],
    ["1.2.3", { type: "str", text: "1.2.3" }],
    ["0xZZ", { type: "str", text: "0xZZ" }],
    // beyond 64 bits go-yaml falls back to a float
    ["99999999999999999999", { type: "float", text: "100000000000000000000" }],
  ]
  for (const [src, want] of cases) assert.deepEqual(classifyPlain(src), want, src)
})
