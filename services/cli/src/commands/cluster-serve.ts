// `moor cluster serve`: run the embedded Kubernetes API server until SIGINT/SIGTERM.
import { parseArgs } from "node:util"
import { startServer } from "@moor/kube-embedded"

const USAGE = "usage: moor cluster serve [--port N] [--kubeconfig FILE] [--data DIR] [--simulate-workloads] [--simulate-delay MS]"

/** Runs the server; resolves with the exit code once it has stopped (or failed to start). */
export async function clusterServe(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: argv,
      options: {
        port: { type: "string" },
        kubeconfig: { type: "string" },
        data: { type: "string" },
        "simulate-workloads": { type: "boolean" },
        "simulate-delay": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    }).values
  } catch (e) {
    process.stderr.write(`moor cluster serve: ${(e as Error).message}\n${USAGE}\n`)
    return 2
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  let port: number | undefined
  if (values.port !== undefined) {
    const p = Number(values.port)
    if (!Number.isInteger(p) || p < 0 || p > 65535 || String(values.port).trim() === "") {
      process.stderr.write(`moor cluster serve: --port must be an integer between 0 and 65535, got ${JSON.stringify(values.port)}\n`)
      return 2
    }
    port = p
  }
  let delayMs: number | undefined
  if (values["simulate-delay"] !== undefined) {
    const d = Number(values["simulate-delay"])
    if (!Number.isFinite(d) || d < 0) {
      process.stderr.write(`moor cluster serve: --simulate-delay must be a number of milliseconds, got ${JSON.stringify(values["simulate-delay"])}\n`)
      return 2
    }
    delayMs = d
  }
  let server: Awaited<ReturnType<typeof startServer>>
  try {
    server = await startServer({
      ...(port !== undefined ? { port } : {}),
      ...(typeof values.kubeconfig === "string" ? { kubeconfigPath: values.kubeconfig } : {}),
      ...(typeof values.data === "string" ? { dataDir: values.data } : {}),
      ...(values["simulate-workloads"] === true ? { simulateWorkloads: delayMs === undefined ? true : { delayMs } } : {}),
    })
  } catch (e) {
    process.stderr.write(`moor cluster serve: ${(e as Error).message}\n`)
    return 1
  }
  process.stdout.write(`ready ${server.kubeconfigPath}\n`)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once("SIGINT", stop)
    process.once("SIGTERM", stop)
  })
  await server.close()
  return 0
}
