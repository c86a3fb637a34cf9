// The embedded server in its own process for the benchmark, so the load generator and the
// server do not share a thread. Reports memory (after a full GC) over IPC.
import { startServer } from "@moor/kube-embedded"

const kubeconfigPath = process.argv[2]
if (kubeconfigPath === undefined) throw new Error("usage: server.ts KUBECONFIG")
const s = await startServer({ kubeconfigPath })
process.on("message", async (m: { cmd: string }) => {
  if (m.cmd === "mem") {
    const gc = (globalThis as { gc?: () => void }).gc
    for (let i = 0; i < 3; i++) gc?.()
    process.send?.({ mem: process.memoryUsage() })
  } else if (m.cmd === "stop") {
    await s.close()
    process.exit(0)
  }
})
process.send?.({ ready: s.kubeconfigPath })
