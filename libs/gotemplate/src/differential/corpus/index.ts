// The hand-written differential corpus.
import type { Case } from "../run.ts"
import { language } from "./language.ts"

export const corpus: Case[] = [...language]
