// Shared shapes of the health rules.

/** kstatus's summary of an object: Current (reconciled and healthy), InProgress, Failed, Unknown. */
export type HealthStatus = "Current" | "InProgress" | "Failed" | "Unknown"

/** The health of one object and a message a person can act on. */
export interface Health {
  readonly status: HealthStatus
  readonly message: string
}

/** A condition as the API conventions define it. */
export interface Condition {
  readonly type: string
  readonly status: string
  readonly reason?: string
  readonly message?: string
  readonly observedGeneration?: number
}

/** Any object as JSON (rules read it defensively: input may be malformed). */
export type Obj = { readonly [k: string]: any }

/** A rule for one kind: the object is known to be an object with metadata. */
export type Rule = (obj: Obj) => Health

export const current = (message: string): Health => ({ status: "Current", message })
export const inProgress = (message: string): Health => ({ status: "InProgress", message })
export const failed = (message: string): Health => ({ status: "Failed", message })
export const unknown = (message: string): Health => ({ status: "Unknown", message })

/** The conditions of an object, ignoring malformed entries. */
export const conditions = (obj: Obj): Condition[] => {
  const cs = obj.status?.conditions
  return Array.isArray(cs) ? cs.filter((c): c is Condition => typeof c === "object" && c !== null && typeof c.type === "string") : []
}

export const condition = (obj: Obj, type: string): Condition | undefined => conditions(obj).find((c) => c.type === type)

/** A number field, or `def` when absent or not a number. */
export const num = (v: unknown, def = 0): number => (typeof v === "number" && Number.isFinite(v) ? v : def)

/** InProgress when the controller has not yet seen the latest generation, else undefined. */
export const staleGeneration = (obj: Obj): Health | undefined => {
  const gen = obj.metadata?.generation
  const observed = obj.status?.observedGeneration
  if (typeof gen === "number" && (typeof observed !== "number" || observed < gen)) {
    return inProgress(`waiting for the controller to observe generation ${gen}${typeof observed === "number" ? ` (observed ${observed})` : ""}`)
  }
  return undefined
}
