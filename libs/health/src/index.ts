// @moor/health: kstatus-style health of Kubernetes objects (Current, InProgress, Failed,
// Unknown) as pure functions per kind, and waiting for a set of objects to become healthy.
export type { Health, HealthStatus } from "./internal/Types.ts"
export { groupOf, rules, status } from "./Status.ts"
export { describe, refString, waitFor, type ObjectRef, type Unhealthy, type WaitOptions, type WaitResult } from "./Wait.ts"
export { compileHealthExprs, InvalidHealthExpr, type HealthCheckExpr, type HealthRules } from "./Exprs.ts"
