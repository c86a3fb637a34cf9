import { test } from "node:test"
import assert from "node:assert/strict"
import { createHmac } from "node:crypto"
import { hostKeyAlgorithms, parseKnownHosts, verifyHostKey } from "./internal/KnownHosts.ts"

const key = (n: number) => Buffer.alloc(51, n)
const b64 = (n: number) => key(n).toString("base64")
const hashed = (name: string) => {
  const salt = Buffer.alloc(20, 7)
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`
}

const text = [
  "# comment",
  `github.com,140.82.121.4 ssh-ed25519 ${b64(1)}`,
  `[git.example.com]:2222 ecdsa-sha2-nistp256 ${b64(2)} comment here`,
  `${hashed("hidden.example.com")} ssh-rsa ${b64(3)}`,
  `*.wild.example.com,!bad.wild.example.com ssh-ed25519 ${b64(4)}`,
  `@revoked revoked.example.com ssh-ed25519 ${b64(5)}`,
  `revoked.example.com ssh-ed25519 ${b64(6)}`,
  "garbage line",
].join("\n")
const entries = parseKnownHosts(text)

test("known_hosts: plain, [host]:port, hashed and wildcard names", () => {
  assert.equal(entries.length, 6)
  assert.deepEqual(verifyHostKey(entries, "github.com", 22, key(1)), { ok: true })
  assert.deepEqual(verifyHostKey(entries, "140.82.121.4", 22, key(1)), { ok: true })
  assert.deepEqual(verifyHostKey(entries, "git.example.com", 2222, key(2)), { ok: true })
  assert.deepEqual(verifyHostKey(entries, "hidden.example.com", 22, key(3)), { ok: true })
  assert.deepEqual(verifyHostKey(entries, "a.wild.example.com", 22, key(4)), { ok: true })
})

test("known_hosts: unknown, changed, negated and revoked keys are refused", () => {
  const unknown = verifyHostKey(entries, "git.example.com", 22, key(2))
  assert.equal(unknown.ok, false)
  assert.equal(!unknown.ok && unknown.why, "unknown", "the port is part of the name")
  const changed = verifyHostKey(entries, "github.com", 22, key(9))
  assert.equal(!changed.ok && changed.why, "changed")
  assert.match(!changed.ok ? changed.message : "", /does not match known_hosts/)
  assert.equal(verifyHostKey(entries, "bad.wild.example.com", 22, key(4)).ok, false)
  const revoked = verifyHostKey(entries, "revoked.example.com", 22, key(5))
  assert.equal(!revoked.ok && revoked.why, "revoked")
  assert.deepEqual(verifyHostKey(entries, "revoked.example.com", 22, key(6)), { ok: true })
})

test("host key algorithms offered are the ones known for the host", () => {
  assert.deepEqual(hostKeyAlgorithms(entries, "hidden.example.com", 22), ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"])
  assert.deepEqual(hostKeyAlgorithms(entries, "git.example.com", 2222), ["ecdsa-sha2-nistp256"])
  assert.deepEqual(hostKeyAlgorithms(entries, "nowhere", 22), [])
})
