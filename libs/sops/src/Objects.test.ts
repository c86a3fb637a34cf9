// decryptObjects over real builds: fixtures are encrypted with this library to
// two recipients, built by @moor/kustomize's fluxBuild (on the hub, without
// keys) and decrypted as the apply actor will. Every error is checked for the
// object, the file, the recipients and for the absence of any cleartext.
import assert from "node:assert/strict"
import { test } from "node:test"
import { fluxBuild, memoryFs, type FluxSpec } from "@moor/kustomize"
import { DataKeyCache, DecryptionError, decryptObjects, encrypt, generateAgeIdentity, isSopsEncrypted, objectRef } from "./index.ts"
import { vector, vectorsMissing } from "./internal/testdata.ts"

const cluster = await generateAgeIdentity()
const admin = await generateAgeIdentity()
const other = await generateAgeIdentity()
const recipients = [cluster.recipient, admin.recipient]

// every cleartext used below: no error message may hold one
const SECRETS = ["hunter2-s3cret", "p@ss-data-zebra", "yaml-secret-b", "json-secret-k", "pem-secret-body", "file-env-secret", "env-pass-secret", "cm-secret-value"]

type Obj = Record<string, unknown>
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64")
const unb64 = (s: unknown) => Buffer.from(String(s), "base64").toString("utf8")

const secretYaml = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: apps
type: Opaque
stringData:
  password: hunter2-s3cret
  port: "5432"
data:
  token: ${b64("p@ss-data-zebra")}
`
const fluxRegex = { encryptedRegex: "^(data|stringData)$" }

const build = (files: Record<string, string>, spec: FluxSpec = {}): Obj[] => fluxBuild(memoryFs(files), "app", spec).resources as Obj[]
const find = (objs: ReadonlyArray<Obj>, kind: string, prefix: string): Obj =>
  objs.find((o) => o["kind"] === kind && String((o["metadata"] as Obj)["name"]).startsWith(prefix))!

/** Runs `f`, expects a DecryptionError, checks what every error must say and returns it. */
const fails = async (f: () => Promise<unknown>, sopsReason: string, object: string): Promise<DecryptionError> => {
  let err: unknown
  try {
    await f()
  } catch (e) {
    err = e
  }
  assert.ok(err instanceof DecryptionError, `expected a DecryptionError, got ${String(err)}`)
  assert.equal(err.reason, "DecryptionFailed")
  assert.equal(err.sopsReason, sopsReason, err.message)
  assert.equal(err.object, object)
  assert.ok(err.message.startsWith(object), err.message)
  for (const s of SECRETS) assert.ok(!err.message.includes(s) && !(err.stack ?? "").includes(s), `error holds ${s}: ${err.message}`)
  return err
}

const flip = (text: string, prefix: string) =>
  text.replace(new RegExp(`${prefix.replace(/[[\]]/g, "\\$&")}(.)`), (_m, c: string) => `${prefix}${c === "A" ? "B" : "A"}`)

const encSecret = await encrypt(secretYaml, "yaml", recipients, fluxRegex)
const plainBuilt = build({ "app/secret.yaml": secretYaml, "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: apps\ndata:\n  a: b\n" })

test("a Secret encrypted whole (data and stringData), two recipients: either key decrypts it to the cleartext build", async () => {
  const built = build({ "app/secret.yaml": encSecret, "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: apps\ndata:\n  a: b\n" })
  const enc = find(built, "Secret", "db")
  assert.ok(isSopsEncrypted(enc))
  assert.ok(!isSopsEncrypted(find(built, "ConfigMap", "cm")))
  assert.ok(!JSON.stringify(built).includes("hunter2-s3cret"))
  for (const keys of [[cluster.keyFile], [admin.identity], [other.identity, admin.keyFile]]) {
    const out = await decryptObjects(built, keys)
    assert.deepEqual(out, plainBuilt)
    assert.equal(out[built.indexOf(find(built, "ConfigMap", "cm"))], find(built, "ConfigMap", "cm"), "untouched objects are passed through")
  }
  // inputs are never modified
  assert.ok(String((enc["stringData"] as Obj)["password"]).startsWith("ENC["))
  // a DataKeyCache gives the same result
  const cache = new DataKeyCache()
  assert.deepEqual(await decryptObjects(built, [cluster.identity], { cache }), plainBuilt)
  assert.deepEqual(await decryptObjects(built, [cluster.identity], { cache }), plainBuilt)
  assert.ok(cache.size >= 1)
})

test("a wrong key names the object, the file and both recipients", async () => {
  const built = build({ "app/secret.yaml": encSecret })
  // the process-wide data key cache holds this file's key for the cluster's identities: never for others
  assert.deepEqual(await decryptObjects(built, [cluster.keyFile]), build({ "app/secret.yaml": secretYaml }))
  const err = await fails(() => decryptObjects(built, [other.keyFile], { source: () => "app/secret.yaml" }), "NoMatchingIdentity", "Secret/apps/db")
  assert.equal(err.file, "app/secret.yaml")
  assert.match(err.message, /app\/secret\.yaml/)
  assert.deepEqual([...err.recipients], recipients)
  for (const r of recipients) assert.ok(err.message.includes(r), err.message)
  await fails(() => decryptObjects(built, []), "NoMatchingIdentity", "Secret/apps/db")
})

test("tampered value, tampered cleartext field and tampered MAC are DecryptionFailed", async () => {
  const tamperedValue = build({ "app/secret.yaml": flip(encSecret, "password: ENC[AES256_GCM,data:") })
  const e1 = await fails(() => decryptObjects(tamperedValue, [cluster.identity]), "DecryptionFailed", "Secret/apps/db")
  assert.match(e1.message, /stringData\.password/)
  assert.deepEqual([...e1.recipients], recipients)
  const tamperedMac = build({ "app/secret.yaml": flip(encSecret, "mac: ENC[AES256_GCM,data:") })
  await fails(() => decryptObjects(tamperedMac, [cluster.identity]), "DecryptionFailed", "Secret/apps/db")
  // an unencrypted field the MAC covers, changed in git
  const retyped = build({ "app/secret.yaml": encSecret.replace("type: Opaque", "type: kubernetes.io/tls") })
  const e3 = await fails(() => decryptObjects(retyped, [cluster.identity]), "DecryptionFailed", "Secret/apps/db")
  assert.match(e3.message, /MAC mismatch/)
  assert.match(e3.message, /mac_only_encrypted/)
})

test("the build changing metadata: a MAC error with the remedy; mac_only_encrypted files decrypt", async () => {
  const spec: FluxSpec = { targetNamespace: "prod", commonMetadata: { labels: { team: "a" } } }
  await fails(() => decryptObjects(build({ "app/secret.yaml": encSecret }, spec), [cluster.identity]), "DecryptionFailed", "Secret/prod/db")
  const macOnly = await encrypt(secretYaml, "yaml", recipients, { ...fluxRegex, macOnlyEncrypted: true })
  const out = await decryptObjects(build({ "app/secret.yaml": macOnly }, spec), [admin.identity])
  assert.deepEqual(out, build({ "app/secret.yaml": secretYaml }, spec))
  // still a tampered value is caught
  const bad = build({ "app/secret.yaml": flip(macOnly, "token: ENC[AES256_GCM,data:") }, spec)
  await fails(() => decryptObjects(bad, [admin.identity]), "DecryptionFailed", "Secret/prod/db")
})

test("the build changing metadata, with the source document (opts.text): MAC verified over the file, the build's changes kept", async () => {
  const spec: FluxSpec = { targetNamespace: "prod", namePrefix: "p-", commonMetadata: { labels: { team: "a" } } }
  const built = build({ "app/secret.yaml": encSecret }, spec)
  const want = build({ "app/secret.yaml": secretYaml }, spec)
  assert.deepEqual(await decryptObjects(built, [cluster.identity], { text: () => encSecret }), want)
  // a tampered source document
  await fails(() => decryptObjects(built, [cluster.identity], { text: () => flip(encSecret, "mac: ENC[AES256_GCM,data:") }), "DecryptionFailed", "Secret/prod/p-db")
  // the document of another file: the object's values are not among its own
  const other = await encrypt(secretYaml, "yaml", recipients, fluxRegex)
  const e = await fails(() => decryptObjects(built, [cluster.identity], { text: () => other }), "DecryptionFailed", "Secret/prod/p-db")
  assert.match(e.message, /not one of the encrypted values/)
  assert.deepEqual([...e.recipients], recipients)
  // an encrypted value moved to another key in the object (a bundle edited on the way)
  const moved = structuredClone(built)
  const sd = (moved[0] as Obj)["stringData"] as Obj
  sd["port"] = sd["password"]
  await fails(() => decryptObjects(moved, [cluster.identity], { text: () => encSecret }), "DecryptionFailed", "Secret/prod/p-db")
})

test("a malformed sops block is a ParseError naming the object", async () => {
  const built = build({ "app/secret.yaml": encSecret.replace(/lastmodified: .*/, "lastmodified: yesterday") })
  const err = await fails(() => decryptObjects(built, [cluster.identity]), "ParseError", "Secret/apps/db")
  assert.match(err.message, /lastmodified/)
  assert.deepEqual([...err.recipients], recipients)
})

test("opt-out annotation, non-Secret objects and plain Secrets pass through untouched; other kinds with sops metadata decrypt as in Flux", async () => {
  const disabled = encSecret.replace("  namespace: apps\n", "  namespace: apps\n  annotations:\n    kustomize.toolkit.fluxcd.io/decrypt: Disabled\n")
  const cm = await encrypt("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: cm-secret-value\n", "yaml", recipients, fluxRegex)
  const built = build({ "app/a.yaml": disabled, "app/b.yaml": secretYaml.replace("name: db", "name: plain"), "app/c.yaml": cm })
  const out = await decryptObjects(built, [cluster.identity])
  assert.equal(find(out, "Secret", "db"), find(built, "Secret", "db"))
  assert.equal(find(out, "Secret", "plain"), find(built, "Secret", "plain"))
  assert.deepEqual(find(out, "ConfigMap", "cm")["data"], { k: "cm-secret-value" })
  assert.equal(find(out, "ConfigMap", "cm")["sops"], undefined)
  assert.equal(isSopsEncrypted(find(built, "Secret", "db")), true, "content check, annotation not looked at")
})

test("secretGenerator files of each format and an envs .env: decrypted as Flux decrypts them before its build", async () => {
  const files = {
    "app/kustomization.yaml": [
      "secretGenerator:",
      "- name: gen",
      "  namespace: apps",
      "  files: [config.yaml, settings.json, cert.pem, app.env, renamed.yaml=config.yaml, notes.txt]",
      "  envs: [vars.env]",
      "  literals: [LITERAL=plain-literal]",
      "- name: plain",
      "  literals: [a=b]",
      "configMapGenerator:",
      "- name: shared",
      "  namespace: apps",
      "  files: [config.yaml]",
      "  envs: [vars.env]",
      "- name: alone",
      "  namespace: apps",
      "  files: [other.yaml]",
      "",
    ].join("\n"),
    "app/config.yaml": "# settings\na: 1\nb: yaml-secret-b\nlist:\n  - x\n",
    "app/settings.json": '{\n\t"k": "json-secret-k",\n\t"n": 2\n}\n',
    "app/cert.pem": "-----BEGIN CERT-----\npem-secret-body\n-----END CERT-----\n",
    "app/app.env": "X=file-env-secret\n",
    "app/vars.env": "USER=admin\nPASS=env-pass-secret\nMULTI=a\\nb\nPLAIN_unencrypted=visible\n",
    "app/notes.txt": "a plain file\nof two lines\n",
    "app/other.yaml": "c: yaml-secret-b\n",
  }
  const encFiles = {
    ...files,
    "app/config.yaml": await encrypt(files["app/config.yaml"], "yaml", recipients),
    "app/settings.json": await encrypt(files["app/settings.json"], "json", recipients),
    "app/cert.pem": await encrypt(files["app/cert.pem"], "binary", recipients),
    "app/app.env": await encrypt(files["app/app.env"], "dotenv", recipients),
    "app/vars.env": await encrypt(files["app/vars.env"], "dotenv", recipients),
    "app/other.yaml": await encrypt(files["app/other.yaml"], "yaml", recipients),
  }
  const built = build(encFiles)
  const gen = find(built, "Secret", "gen-")
  assert.ok(isSopsEncrypted(gen))
  assert.ok(!isSopsEncrypted(find(built, "Secret", "plain-")))
  for (const s of SECRETS) assert.ok(!JSON.stringify(built).includes(s), `the build holds ${s}`)
  const out = await decryptObjects(built, [admin.keyFile])
  const dec = find(out, "Secret", "gen-")
  const data = dec["data"] as Obj
  // what Flux's Secret holds: decrypted files, and the cleartext pairs of the .env without sops_* keys
  const expected = build(files)
  const want = find(expected, "Secret", "gen-")["data"] as Obj
  assert.deepEqual(Object.keys(data), Object.keys(want))
  for (const k of Object.keys(want)) assert.equal(unb64(data[k]), unb64(want[k]), k)
  assert.equal(unb64(data["PASS"]), "env-pass-secret")
  assert.equal(unb64(data["MULTI"]), "a\\nb")
  assert.equal(unb64(data["LITERAL"]), "plain-literal")
  assert.equal(unb64(data["notes.txt"]), "a plain file\nof two lines\n")
  // a .env encrypted with encrypted_regex: its cleartext pairs are under the MAC too
  const partial = build({ ...encFiles, "app/vars.env": await encrypt(files["app/vars.env"], "dotenv", recipients, { encryptedRegex: "^PASS$" }) })
  const partialOut = find(await decryptObjects(partial, [cluster.identity]), "Secret", "gen-")["data"] as Obj
  for (const k of Object.keys(want)) assert.equal(unb64(partialOut[k]), unb64(want[k]), k)
  assert.equal(find(out, "Secret", "plain-"), find(built, "Secret", "plain-"))
  // ConfigMaps: files a secretGenerator also reads come out in clear as in Flux; others stay as they are
  assert.deepEqual(find(out, "ConfigMap", "shared-")["data"], find(expected, "ConfigMap", "shared-")["data"])
  assert.equal(find(out, "ConfigMap", "alone-"), find(built, "ConfigMap", "alone-"))
  // the name keeps the hash of the encrypted content the build computed (references in the build stay right)
  assert.equal((dec["metadata"] as Obj)["name"], (gen["metadata"] as Obj)["name"])

  // failures name the first failing object in the build's order: here the ConfigMap sharing the files (kustomize puts ConfigMaps first)
  const firstOf = (objs: Obj[]) => objectRef(find(objs, "ConfigMap", "shared-"))
  assert.ok(built.indexOf(find(built, "ConfigMap", "shared-")) < built.indexOf(gen))
  // a wrong key names the entry
  const e1 = await fails(() => decryptObjects(built, [other.identity]), "NoMatchingIdentity", firstOf(built))
  assert.match(e1.message, /data\.config\.yaml/)
  assert.deepEqual([...e1.recipients], recipients)
  // a tampered .env value (the pairs went through the build)
  const tampered = build({ ...encFiles, "app/vars.env": flip(encFiles["app/vars.env"], "PASS=ENC[AES256_GCM,data:") })
  const e2 = await fails(() => decryptObjects(tampered, [cluster.identity]), "DecryptionFailed", firstOf(tampered))
  assert.match(e2.message, /\.env/)
  // a .env pair dropped: the MAC catches it, in the Secret too
  const dropped = build({ ...encFiles, "app/vars.env": encFiles["app/vars.env"].replace(/^USER=.*\n/m, "") })
  const e3 = await fails(() => decryptObjects(dropped, [cluster.identity]), "DecryptionFailed", firstOf(dropped))
  assert.match(e3.message, /MAC/)
  const onlySecret = dropped.filter((o) => o["kind"] === "Secret")
  await fails(() => decryptObjects(onlySecret, [cluster.identity]), "DecryptionFailed", objectRef(find(onlySecret, "Secret", "gen-")))
})

test("a malformed generator file is a ParseError with its line", async () => {
  const enc = await encrypt("a: 1\nb: yaml-secret-b\n", "yaml", recipients)
  const broken = enc.replace(/^b: /m, "b: [unclosed ")
  const built = build({
    "app/kustomization.yaml": "secretGenerator:\n- name: gen\n  namespace: apps\n  options:\n    disableNameSuffixHash: true\n  files: [config.yaml]\n",
    "app/config.yaml": broken,
  })
  const err = await fails(() => decryptObjects(built, [cluster.identity], { source: () => "app/kustomization.yaml" }), "ParseError", "Secret/apps/gen")
  assert.ok(err.line !== undefined && err.line >= 2, `line ${err.line}`)
  assert.match(err.message, /line \d+/)
  assert.match(err.message, /data\.config\.yaml/)
  assert.deepEqual([...err.recipients], recipients)
})

test("stringData entries holding SOPS files decrypt; the first failure in object order is thrown", async () => {
  const yamlFile = await encrypt("b: yaml-secret-b\n", "yaml", recipients)
  const s: Obj = { apiVersion: "v1", kind: "Secret", metadata: { name: "sd", namespace: "apps" }, stringData: { "conf.yaml": yamlFile, plain: "x" } }
  const [out] = await decryptObjects([s], [cluster.identity])
  assert.deepEqual((out as Obj)["stringData"], { "conf.yaml": "b: yaml-secret-b\n", plain: "x" })
  const bad1 = { ...s, metadata: { name: "first", namespace: "apps" }, stringData: { "conf.yaml": flip(yamlFile, "b: ENC[AES256_GCM,data:") } }
  const bad2 = { ...s, metadata: { name: "second" } }
  await fails(() => decryptObjects([s, bad1, bad2], [other.identity, cluster.identity]), "DecryptionFailed", "Secret/apps/first")
  await fails(() => decryptObjects([bad2, bad1], [other.identity]), "NoMatchingIdentity", "Secret/second")
})

test("integer-like keys: the document text (opts.text) gives the MAC its order back", async () => {
  const text = await encrypt("apiVersion: v1\nkind: Secret\nmetadata:\n  name: n\nstringData:\n  b: hunter2-s3cret\n  \"2\": two\n  \"1\": one\n", "yaml", recipients, fluxRegex)
  const built = build({ "app/n.yaml": text })
  // the parsed object has "1", "2" first: its own order no longer matches the MAC
  assert.deepEqual(Object.keys((built[0] as Obj)["stringData"] as Obj), ["1", "2", "b"])
  await fails(() => decryptObjects(built, [cluster.identity]), "DecryptionFailed", "Secret/n")
  let asked = 0
  const [out] = await decryptObjects(built, [cluster.identity], { text: () => (asked++, text) })
  assert.deepEqual((out as Obj)["stringData"], { "1": "one", "2": "two", b: "hunter2-s3cret" })
  assert.equal(asked, 1)
  // without integer-like keys the text is never read
  await decryptObjects(build({ "app/secret.yaml": encSecret }), [cluster.identity], { text: () => (asked++, "not yaml: [") })
  assert.equal(asked, 1)
})

const skipVectors = vectorsMissing()
test("files written by the real sops (Flux's kustomize-controller testdata), built by moor, decrypt", { skip: skipVectors }, async () => {
  const files: Record<string, string> = {
    "app/kustomization.yaml": "namePrefix: sops-\nresources: [algorithms, envs, files, inside]\ncomponents: [component]\n",
    "app/algorithms/kustomization.yaml": "namePrefix: algo-\nresources: [age.yaml, age-pq.yaml]\n",
  }
  for (const f of ["component/kustomization.yaml", "component/env.env", "algorithms/age.yaml", "algorithms/age-pq.yaml", "envs/kustomization.yaml", "envs/env.env", "files/kustomization.yaml", "files/file.txt", "inside/kustomization.yaml", "inside/secret.yaml"])
    files[`app/${f}`] = vector(f)
  const built = build(files)
  const keys = [vector("keys/age.txt"), vector("keys/age-pq.txt")]
  const sources = new Map([
    ["sops-algo-age", vector("algorithms/age.yaml")],
    ["sops-algo-age-pq", vector("algorithms/age-pq.yaml")],
  ])
  const text = (o: Obj) => sources.get(String((o["metadata"] as Obj)["name"]))
  // the name prefixes changed a field the MAC covers: without the source documents it is refused
  await assert.rejects(decryptObjects(built, keys), (e: unknown) => e instanceof DecryptionError && /MAC mismatch/.test(e.message))
  const out = await decryptObjects(built, keys, { text })
  const secret = (name: string) => find(out, "Secret", name)
  assert.deepEqual(secret("sops-algo-age")["stringData"], { key: "value" })
  assert.deepEqual(secret("sops-algo-age-pq")["stringData"], { key: "value" })
  assert.equal(secret("sops-algo-age")["sops"], undefined)
  // envs: the cleartext pairs, no sops_* keys
  assert.deepEqual(Object.keys(secret("sops-envs-secret")["data"] as Obj), ["key"])
  // Flux decrypts a secretGenerator's files in place before its build: ConfigMaps made from the same files hold them in clear
  assert.deepEqual(find(out, "ConfigMap", "sops-envs-configmap")["data"], { key: "value" })
  assert.deepEqual(find(out, "ConfigMap", "sops-files-configmap")["data"], { key: "value" })
  assert.equal(unb64((secret("sops-envs-secret")["data"] as Obj)["key"]), "value")
  // files: a binary file; inside: a Secret whose data entry holds a SOPS file
  assert.equal(unb64((secret("sops-files-secret")["data"] as Obj)["key"]), "value")
  assert.equal(unb64((secret("sops-inside-secret")["data"] as Obj)["key"]), "value")
  assert.equal(unb64((secret("sops-component")["data"] as Obj)["key"]), "value")
  assert.ok(!JSON.stringify(out.filter((o) => o["kind"] === "Secret")).includes("ENC["))
})

test("encrypted patch files merged into a Secret (Flux's testdata): each value opened with its own file's key", { skip: skipVectors }, async () => {
  const files: Record<string, string> = {}
  for (const f of ["patches/kustomization.yaml", "patches/merge1.yaml", "patches/merge2.yaml"]) files[`app/${f.replace("patches/", "")}`] = vector(f)
  const built = build(files)
  const patched = find(built, "Secret", "patches-secret")
  assert.ok(isSopsEncrypted(patched))
  const keys = [vector("keys/age.txt")]
  // the merged object carries the last patch's sops block: the first patch's value does not open with it
  await assert.rejects(decryptObjects(built, keys), (e: unknown) => e instanceof DecryptionError && e.sopsReason === "DecryptionFailed")
  const docs = [vector("patches/merge1.yaml"), vector("patches/merge2.yaml")]
  const out = await decryptObjects(built, keys, { text: () => docs })
  assert.deepEqual(find(out, "Secret", "patches-secret")["stringData"], { key: "merge1", merge2: "merge2" })
  // one document short: the value it held is refused
  await assert.rejects(decryptObjects(built, keys, { text: () => docs.slice(1) }), (e: unknown) => e instanceof DecryptionError && /not one of the encrypted values/.test(e.message))
})
