import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { diskFs, fluxBuild } from "@moor/kustomize"
import { decryptObjects, encrypt, generateAgeIdentity } from "@moor/sops"
const cluster = await generateAgeIdentity(); const admin = await generateAgeIdentity()
const root = mkdtempSync(join(tmpdir(), "sw-"))
mkdirSync(join(root, "enc"))
const secretText = (i: number) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s${i}\n  namespace: apps\ntype: Opaque\nstringData:\n  username: user-${i}\n  password: pw-${i}-${"y".repeat(24)}\n  url: postgres://db-${i}.apps.svc:5432/app\n`
for (let i = 0; i < 200; i++) writeFileSync(join(root, "enc", `s${i}.yaml`), await encrypt(secretText(i), "yaml", [cluster.recipient, admin.recipient], { encryptedRegex: "^(data|stringData)$" }))
const built = fluxBuild(diskFs(root), "enc").resources as Record<string, unknown>[]
await decryptObjects(built, [cluster.keyFile])
const N = Number(process.env.N ?? 300)
const t0 = performance.now(); const c0 = process.cpuUsage()
for (let i = 0; i < N; i++) await decryptObjects(built, [cluster.keyFile])
const c = process.cpuUsage(c0)
console.log("warm ms/iter wall", ((performance.now() - t0) / N).toFixed(2), "cpu", ((c.user + c.system) / 1000 / N).toFixed(2))
