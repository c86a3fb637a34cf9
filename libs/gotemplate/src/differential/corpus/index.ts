// The hand-written differential corpus.
import type { Case } from "../run.ts"
import { builtins } from "./builtins.ts"
import { helm } from "./helm.ts"
import { language } from "./language.ts"
import { sprig } from "./sprig.ts"

export const corpus: Case[] = [...language, ...builtins, ...sprig, ...helm]
