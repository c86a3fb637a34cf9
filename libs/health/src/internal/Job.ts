// batch/Job: current once Complete=True, failed once Failed=True (backoff limit or
// deadline), in progress otherwise: a health check waits for a Job to finish.
import { condition, current, failed, inProgress, num, type Health, type Obj } from "./Types.ts"

/** Health of a Job. */
export const job = (obj: Obj): Health => {
  const failedCond = condition(obj, "Failed")
  if (failedCond?.status === "True") return failed(`Job failed: ${failedCond.reason ?? ""}${failedCond.message ? `: ${failedCond.message}` : ""}`)
  if (condition(obj, "Complete")?.status === "True") return current(`Job completed: ${num(obj.status?.succeeded)} succeeded`)
  if (obj.spec?.suspend === true) return inProgress("Job is suspended")
  return inProgress(`Job in progress: ${num(obj.status?.active)} active, ${num(obj.status?.succeeded)} succeeded`)
}
