// Structured log lines. Fields never carry secrets: callers pass identifiers,
// reasons and messages, not payloads.

export type Level = "debug" | "info" | "warn" | "error"
export interface Log {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

const order: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 }

/** JSON lines on stderr at or above `level`, tagged with a component name. */
export const jsonLog = (component: string, level: Level = "info", write: (line: string) => void = (l) => process.stderr.write(l + "\n")): Log => {
  const at = (lv: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (order[lv] < order[level]) return
    write(JSON.stringify({ ts: new Date().toISOString(), level: lv, component, msg, ...fields }))
  }
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }
}

/** Discards everything (benchmarks, quiet tests). */
export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} }
