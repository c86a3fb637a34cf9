// The self-signed certificate's DER: integers minimal, so OpenSSL loads every one.
import assert from "node:assert/strict"
import { X509Certificate } from "node:crypto"
import { test } from "node:test"
import { derInt, selfSigned } from "./Tls.ts"

test("DER integers are minimal whatever the leading bytes", () => {
  const hex = (b: Buffer) => b.toString("hex")
  assert.equal(hex(derInt(Buffer.from([0x00, 0x05]))), "020105", "a leading zero before a clear high bit is dropped")
  assert.equal(hex(derInt(Buffer.from([0x00, 0x00, 0x7f]))), "02017f")
  assert.equal(hex(derInt(Buffer.from([0x00, 0x80]))), "02020080", "kept when the next byte's high bit is set")
  assert.equal(hex(derInt(Buffer.from([0x80]))), "02020080", "a zero is added before a set high bit")
  assert.equal(hex(derInt(Buffer.from([0x00]))), "020100", "zero itself")
  assert.equal(hex(derInt(Buffer.from([0x12, 0x34]))), "02021234")
})

test("self-signed certificates load in OpenSSL, for 127.0.0.1 and localhost", () => {
  // a serial starting with 0x00 came up once in 512 before derInt; 600 certificates cover it likely
  for (let i = 0; i < 600; i++) {
    const { cert } = selfSigned()
    const x = new X509Certificate(cert)
    if (i === 0) assert.match(x.subjectAltName ?? "", /IP Address:127\.0\.0\.1.*DNS:localhost|DNS:localhost.*IP Address:127\.0\.0\.1/)
  }
})
