// Property-based generation of random templates over random data (filled in below).
import type { Case } from "./run.ts"
export function generate(_seed: number, _count: number): Case[] {
  return []
}
