import { readFileSync } from "node:fs"
import { PROTOCOL_VERSION } from "@moor/protocol"
import type { CliCommand } from "../Command.ts"

/** The version of the moor package, from services/cli/package.json. */
export const moorVersion = (): string =>
  (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version

export const version: CliCommand = {
  path: ["version"],
  summary: "Print moor's version and protocol version",
  help: `Usage: moor version

Example:
  moor version`,
  async run() {
    process.stdout.write(`moor ${moorVersion()} (protocol ${PROTOCOL_VERSION}, node ${process.versions.node})\n`)
    return 0
  },
}
