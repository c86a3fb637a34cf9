// A real kube-apiserver (v1.20, built from Debian's source package by
// ../shared/tools/kube-real/) for tests that compare moor's behaviour on the
// embedded and the real server. Absent binaries make `kubeRealBinaries()`
// undefined so a test can skip with a reason instead of failing.
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { homedir, tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const run = promisify(execFile)

/** ../shared/tools/kube-real from the repository root. */
export const kubeRealTools = (): string => join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "shared", "tools", "kube-real")

/** The folder of the built binaries, or undefined when they are not built. */
export const kubeRealBinaries = (): string | undefined => {
  const home = process.env.KUBE_REAL_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "kube-real")
  const bin = join(home, "bin")
  return existsSync(join(bin, "kube-apiserver")) && existsSync(join(kubeRealTools(), "start.sh")) ? bin : undefined
}

export interface KubeReal {
  readonly kubeconfig: string
  readonly dir: string
  /** Marks Pending pods Running and Ready (no kubelet runs). */
  readyPods(): Promise<void>
  stop(): Promise<void>
}

/**
 * Starts etcd + kube-apiserver (+ controller-manager unless `controllerManager: false`) on free ports.
 * start.sh picks free ports before the servers bind them, so a test running beside this one can take
 * a port in between: such a start is retried with fresh ports.
 */
export const startKubeReal = async (o: { controllerManager?: boolean } = {}): Promise<KubeReal> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(o)
    } catch (e) {
      if (attempt >= 3 || !/address already in use/.test(String(e))) throw e
    }
  }
}

const startOnce = async (o: { controllerManager?: boolean }): Promise<KubeReal> => {
  const dir = mkdtempSync(join(tmpdir(), "moor-kube-real-"))
  const tools = kubeRealTools()
  const stop = async () => {
    await run("bash", [join(tools, "stop.sh"), dir]).catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const { stdout } = await run("bash", [join(tools, "start.sh"), dir], {
      env: { ...process.env, KUBE_CM: o.controllerManager === false ? "0" : "1" },
      timeout: 120_000,
    })
    const m = /ready (\S+)/.exec(stdout)
    if (!m) throw new Error(`kube-real did not report ready: ${stdout}`)
    return { kubeconfig: m[1]!, dir, stop, readyPods: async () => void (await run("bash", [join(tools, "ready-pods.sh"), dir])) }
  } catch (e) {
    await stop()
    throw e
  }
}
