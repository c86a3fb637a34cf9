// git:// (the git daemon protocol): a TCP connection per request, opened with
// the request line `git-upload-pack <path>\0host=<host>\0`.
import { connect } from "node:net"
import { gitError } from "../Errors.ts"
import { pkt } from "./PktLine.ts"
import type { Conn } from "./Transport.ts"

export interface DaemonTarget {
  readonly host: string
  readonly port: number
  readonly path: string
  readonly display: string
}

/** Opens a fresh upload-pack stream to a git daemon. */
export const openDaemon = (t: DaemonTarget, timeoutMs: number): Promise<Conn> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: t.host, port: t.port })
    socket.setNoDelay(true)
    socket.setTimeout(timeoutMs)
    let connected = false
    socket.once("timeout", () => socket.destroy(new Error(`no data for ${timeoutMs} ms`)))
    socket.once("error", (e: NodeJS.ErrnoException) => {
      if (!connected) reject(gitError("GitOperationFailed", `${t.display}: cannot connect to ${t.host}:${t.port}: ${e.code ?? e.message}`))
    })
    socket.once("connect", () => {
      connected = true
      const hostPart = t.port === 9418 ? t.host : `${t.host.includes(":") ? `[${t.host}]` : t.host}:${t.port}`
      socket.write(pkt(`git-upload-pack ${t.path}\0host=${hostPart}\0`))
      resolve({
        readable: socket,
        write: (b) => void socket.write(b),
        end: () => void socket.end(),
        close: () => void socket.destroy(),
        stderr: () => "",
      })
    })
  })
