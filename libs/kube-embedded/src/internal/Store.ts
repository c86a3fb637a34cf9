// The object store: every object kept parsed, one collection per storage resource,
// a global resourceVersion counter, and per collection a bounded log of recent
// events from which watches are served (older versions answer 410 Gone).

// biome-ignore lint: objects are free-form JSON
export type Obj = Record<string, any>

export type EventType = "ADDED" | "MODIFIED" | "DELETED"

/** One change to a collection; `prev` is the object before a MODIFIED or DELETED. */
export interface StoreEvent {
  readonly rv: number
  readonly type: EventType
  readonly obj: Obj
  readonly prev: Obj | undefined
}

/** Receives the events of a collection after they are stored. */
export interface Listener {
  onEvent(ev: StoreEvent): void
}

/** The key of an object inside its collection. */
export const objectKey = (namespace: string | undefined, name: string): string =>
  namespace === undefined || namespace === "" ? name : `${namespace}/${name}`

/** The objects of one storage resource (e.g. "apps/deployments"). */
export class Collection {
  readonly name: string
  readonly objects = new Map<string, Obj>()
  readonly listeners = new Set<Listener>()
  private sorted: string[] | null = null
  // Ring of recent events, oldest first.
  private ring: (StoreEvent | undefined)[]
  private head = 0
  private size = 0
  /** Watches from a resourceVersion below this are answered 410 Gone. */
  since: number

  constructor(name: string, window: number, since: number) {
    this.name = name
    this.ring = new Array(window)
    this.since = since
  }

  /** Keys in ascending order (namespace/name), as etcd lists them. */
  sortedKeys(): string[] {
    if (this.sorted === null) this.sorted = [...this.objects.keys()].sort()
    return this.sorted
  }

  put(key: string, obj: Obj): void {
    if (!this.objects.has(key)) this.sorted = null
    this.objects.set(key, obj)
  }

  remove(key: string): void {
    if (this.objects.delete(key)) this.sorted = null
  }

  record(ev: StoreEvent): void {
    const cap = this.ring.length
    if (cap === 0) {
      this.since = ev.rv
    } else if (this.size < cap) {
      this.ring[(this.head + this.size) % cap] = ev
      this.size++
    } else {
      const old = this.ring[this.head]!
      this.since = old.rv
      this.ring[this.head] = ev
      this.head = (this.head + 1) % cap
    }
    for (const l of this.listeners) l.onEvent(ev)
  }

  /** Events with rv > from, or undefined when `from` is older than the window. */
  eventsAfter(from: number): StoreEvent[] | undefined {
    if (from < this.since) return undefined
    const out: StoreEvent[] = []
    const cap = this.ring.length
    for (let i = 0; i < this.size; i++) {
      const ev = this.ring[(this.head + i) % cap]!
      if (ev.rv > from) out.push(ev)
    }
    return out
  }

  /** Drop the event history (used by tests to force 410 Gone). */
  compact(rv: number): void {
    this.ring = new Array(this.ring.length)
    this.head = 0
    this.size = 0
    this.since = rv
  }

  /** The events still kept, oldest first (persisted so watches resume after a restart). */
  history(): StoreEvent[] {
    return this.eventsAfter(-1) ?? []
  }
}

/** Appends every change somewhere durable. */
export interface Journal {
  write(collection: string, ev: StoreEvent): void
}

/** All collections and the resourceVersion counter. */
export class Store {
  rv = 0
  readonly collections = new Map<string, Collection>()
  journal: Journal | undefined
  readonly window: number
  /** Called after each change, for controllers (GC, namespaces, CRDs, workloads). */
  readonly hooks: Array<(collection: string, ev: StoreEvent) => void> = []

  constructor(window: number) {
    this.window = window
  }

  collection(name: string): Collection {
    let c = this.collections.get(name)
    if (c === undefined) {
      c = new Collection(name, this.window, this.rv)
      this.collections.set(name, c)
    }
    return c
  }

  get(collection: string, key: string): Obj | undefined {
    return this.collections.get(collection)?.objects.get(key)
  }

  /** Next resourceVersion; the caller stamps it on the object before `commit`. */
  nextRv(): number {
    return ++this.rv
  }

  /** Store (or remove, for DELETED) an object whose metadata.resourceVersion is `rv`. */
  commit(collection: string, key: string, type: EventType, obj: Obj, prev: Obj | undefined, rv: number): void {
    const c = this.collection(collection)
    if (type === "DELETED") c.remove(key)
    else c.put(key, obj)
    const ev: StoreEvent = { rv, type, obj, prev }
    this.journal?.write(collection, ev)
    c.record(ev)
    for (const h of this.hooks) h(collection, ev)
  }

  /** Load an event from a journal on start-up (no hooks, no journal). */
  replay(collection: string, ev: StoreEvent, keyOf: (o: Obj) => string): void {
    const c = this.collection(collection)
    const key = keyOf(ev.obj)
    if (ev.type === "DELETED") c.remove(key)
    else c.put(key, ev.obj)
    c.record(ev)
    if (ev.rv > this.rv) this.rv = ev.rv
  }
}
