// @moor/gotemplate: Go's text/template with sprig's and Helm's functions,
// agreeing with Go byte for byte (checked against Go by a differential suite).
export { render, TemplateSet, type TemplateSetOptions } from "./TemplateSet.ts"
export { TemplateError, type Limits, type MissingKey } from "./internal/exec.ts"
export { helmFuncs, helmFuncsWithLookup, helmOnlyFuncs, type LookupFn } from "./internal/helm/funcs.ts"
export type { FuncMap } from "./internal/funcs.ts"
export { sprigFuncs } from "./internal/sprig/index.ts"
