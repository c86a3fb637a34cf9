// The X25519 header path read in node:crypto (openX25519File): it must open what
// age-encryption and the real age CLI write, refuse a tampered header MAC or
// payload, and leave every other shape to age-encryption (undefined).
import assert from "node:assert/strict"
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync } from "node:fs"
import { test } from "node:test"
import { Encrypter, armor, generateHybridIdentity, identityToRecipient } from "age-encryption"
import { generateAgeIdentity } from "../Keys.ts"
import { keyringFor, openX25519File, readArmor, unwrapDataKey, wrapDataKey } from "./Age.ts"

const ageCli = ["/usr/bin/age", "/usr/local/bin/age"].find((p) => existsSync(p))

test("X25519 header path: opens age-encryption's files, refuses tampering, leaves other shapes", async () => {
  const me = await generateAgeIdentity()
  const other = await generateAgeIdentity()
  const k = await keyringFor([me.keyFile])
  const dataKey = randomBytes(32)
  const enc = await wrapDataKey(dataKey, me.recipient)
  const bytes = readArmor(enc)
  assert.ok(bytes, "age's armor is read")
  assert.deepEqual(Buffer.from(openX25519File(k, bytes)!), dataKey)
  // another recipient's file: not ours, and no fallback needed
  assert.equal(openX25519File(k, readArmor(await wrapDataKey(dataKey, other.recipient))!), null)

  const header = bytes.toString("latin1")
  const macAt = header.indexOf("\n--- ") + 5
  // a flipped bit in the share, the MAC or the payload: not opened
  for (const at of [header.indexOf("X25519 ") + 10, macAt + 3, bytes.length - 5]) {
    const flipped = Buffer.from(bytes)
    flipped[at] = flipped[at]! ^ 0x01
    const got = openX25519File(k, flipped)
    assert.ok(got === null || got === undefined, `byte ${at} flipped: not opened`)
  }
  // a tampered header MAC that still is valid base64: null, as age-encryption refuses it
  const t = Buffer.from(bytes)
  t[macAt] = t[macAt] === 0x41 ? 0x42 : 0x41
  assert.equal(openX25519File(k, t), null)
  assert.equal(await unwrapDataKey([{ recipient: me.recipient, enc: armor.encode(new Uint8Array(t)) }], [me.keyFile]), undefined)

  // another stanza type, or a non-canonical shape: left to age-encryption
  const scrypt = Buffer.from(header.replace("-> X25519 ", "-> scrypt "), "latin1")
  assert.equal(openX25519File(k, scrypt), undefined)
  assert.equal(readArmor(enc.replace("-----END", "\n-----END")), undefined, "a blank line is not age's armor")
  assert.equal(openX25519File(k, Buffer.from("age-encryption.org/v2\n", "latin1")), undefined)
})

test("X25519 header path: opens a data key wrapped by the real age CLI", { skip: ageCli ? false : "the age CLI is not installed" }, async () => {
  const me = await generateAgeIdentity()
  const dataKey = randomBytes(32)
  const enc = execFileSync(ageCli!, ["--encrypt", "--armor", "--recipient", me.recipient], { input: dataKey }).toString("utf8")
  const k = await keyringFor([me.keyFile])
  const bytes = readArmor(enc)
  assert.ok(bytes, "the CLI's armor is read")
  assert.deepEqual(Buffer.from(openX25519File(k, bytes)!), dataKey)
  assert.deepEqual(Buffer.from((await unwrapDataKey([{ recipient: me.recipient, enc }], [me.keyFile]))!), dataKey)
})

test("a header with another stanza type goes through age-encryption, the X25519 identity plugged into it", async () => {
  const me = await generateAgeIdentity()
  const pq = await identityToRecipient(await generateHybridIdentity())
  const dataKey = randomBytes(32)
  const e = new Encrypter()
  e.addRecipient(pq)
  e.addRecipient(me.recipient)
  const enc = armor.encode(await e.encrypt(dataKey))
  const k = await keyringFor([me.keyFile])
  assert.equal(openX25519File(k, readArmor(enc)!), undefined, "not an X25519-only header")
  assert.deepEqual(Buffer.from((await unwrapDataKey([{ recipient: me.recipient, enc }], [me.keyFile]))!), dataKey)
  const other = await generateAgeIdentity()
  assert.equal(await unwrapDataKey([{ recipient: me.recipient, enc }], [other.keyFile]), undefined)
})
