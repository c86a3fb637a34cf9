// The shape of one CLI command: a name, help text with an example, and a run
// function returning the exit code (0 ok, 1 failed, 2 bad usage).

export interface CliCommand {
  /** Words that select it: ["run"] or ["cluster", "serve"]. */
  readonly path: readonly string[]
  readonly summary: string
  /** Full help: usage, flags, an example. */
  readonly help: string
  run(argv: string[]): Promise<number>
}

/** A usage error: printed with a hint to --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError"
}

/** Colour only on a terminal and when NO_COLOR is unset (https://no-color.org). */
export const colour = (code: number) => (s: string) =>
  process.stderr.isTTY && !process.env.NO_COLOR ? `\x1b[${code}m${s}\x1b[0m` : s
export const red = colour(31)
export const green = colour(32)
export const dim = colour(2)

/** One line saying what failed, and a hint. */
export const fail = (what: string, hint?: string): number => {
  process.stderr.write(`${red("✗")} ${what}\n`)
  if (hint) process.stderr.write(`  ${dim(hint)}\n`)
  return 1
}
