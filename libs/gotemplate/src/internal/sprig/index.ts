// sprig v3's function map (the version Helm uses), as one FuncMap.
import type { FuncMap } from "../funcs.ts"
import { cryptoFuncs } from "./crypto.ts"
import { dateFuncs } from "./dates.ts"
import { defaultFuncs } from "./defaults.ts"
import { listFuncs } from "./lists.ts"
import { miscFuncs } from "./misc.ts"
import { numericFuncs } from "./numeric.ts"
import { regexFuncs } from "./regex.ts"
import { semverFuncs } from "./semver.ts"
import { stringFuncs } from "./strings.ts"

/** sprig's TxtFuncMap without env and expandenv (disabled, as Helm disables them). */
export const sprigFuncs: FuncMap = Object.freeze({
  ...stringFuncs, ...numericFuncs, ...defaultFuncs, ...listFuncs, ...dateFuncs, ...regexFuncs, ...semverFuncs, ...miscFuncs, ...cryptoFuncs,
})
