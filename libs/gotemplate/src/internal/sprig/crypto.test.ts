// Random crypto outputs checked by shape and validity: bcrypt against Go's
// own bcrypt, certificates with node:crypto's X509 parser.
import assert from "node:assert/strict"
import { X509Certificate } from "node:crypto"
import { test } from "node:test"
import { helmFuncs, render } from "../../index.ts"
import { runOracle } from "../../testing/Oracle.ts"
import { bcrypt } from "./bcrypt.ts"

test("bcrypt and htpasswd hashes verify with Go's golang.org/x/crypto/bcrypt", async () => {
  const pw = ["secret", "", "pässwörd with spaces", "x".repeat(80)]
  const hashes = pw.map((p) => bcrypt(p, 4))
  const line = render('{{ htpasswd "admin" "s3cret" }}', {}, { funcs: helmFuncs })
  assert.match(line, /^admin:\$2a\$10\$[./A-Za-z0-9]{53}$/)
  const reqs = [
    ...hashes.map((h, i) => ({ id: `h${i}`, bcryptCheck: [h, pw[i]!] as [string, string] })),
    { id: "htpasswd", bcryptCheck: [line.slice("admin:".length), "s3cret"] as [string, string] },
    { id: "wrong", bcryptCheck: [hashes[0]!, "not it"] as [string, string] },
  ]
  const res = await runOracle(reqs)
  assert.deepEqual(res.map((r) => r.output ?? r.error), ["ok", "ok", "ok", "ok", "ok", "crypto/bcrypt: hashedPassword is not the hash of the given password"])
})

test("genCA, genSignedCert and genSelfSignedCert make valid certificates", () => {
  const out = render(`{{ $ca := genCA "moor-ca" 365 }}{{ $c := genSignedCert "svc.ns" (list "10.0.0.7") (list "svc.ns.svc" "svc") 30 $ca }}{{ $s := genSelfSignedCert "self" nil (list "self.local") 1 }}{{ list $ca.Cert $c.Cert $c.Key $s.Cert | toJson }}`, {}, { funcs: helmFuncs })
  const [caPem, certPem, keyPem, selfPem] = JSON.parse(out) as string[]
  const ca = new X509Certificate(caPem!)
  const cert = new X509Certificate(certPem!)
  const self = new X509Certificate(selfPem!)
  assert.equal(ca.subject, "CN=moor-ca")
  assert.equal(ca.ca, true)
  assert.ok(ca.verify(ca.publicKey), "the CA is self-signed")
  assert.equal(cert.subject, "CN=svc.ns")
  assert.equal(cert.issuer, "CN=moor-ca")
  assert.equal(cert.ca, false)
  assert.ok(cert.verify(ca.publicKey), "the certificate is signed by the CA")
  assert.ok(cert.checkIssued(ca))
  assert.equal(cert.subjectAltName, "DNS:svc.ns.svc, DNS:svc, IP Address:10.0.0.7")
  assert.match(keyPem!, /^-----BEGIN RSA PRIVATE KEY-----\n/)
  const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86400000
  assert.ok(days > 29.9 && days < 30.1, `valid for 30 days, is ${days}`)
  assert.ok(self.verify(self.publicKey))
  assert.equal(self.subjectAltName, "DNS:self.local")
})

test("derivePassword is deterministic (Master Password's scheme)", () => {
  const a = render('{{ derivePassword 1 "long" "password" "user" "example.com" }}', {}, { funcs: helmFuncs })
  assert.equal(a, render('{{ derivePassword 1 "long" "password" "user" "example.com" }}', {}, { funcs: helmFuncs }))
  assert.match(a, /^[A-Za-z0-9@&%?,=[\]_:\-+*$#!'^~;()/.]{14}$/)
})
