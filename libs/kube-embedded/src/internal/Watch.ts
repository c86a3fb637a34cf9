// Watches: a stream of JSON lines {"type","object"} fed from a collection's event log.
// Starting points as on a real server: "" or "0" replay the current state as ADDED events,
// a resourceVersion replays what followed it, one older than the log answers 410 Gone
// (an ERROR event), and bookmarks carry progress when asked for.
import type { ServerResponse } from "node:http"
import { StatusError } from "./Errors.ts"
import { toTable } from "./Printers.ts"
import { apiVersionOf, type ResourceType } from "./Registry.ts"
import type { Matcher } from "./Selectors.ts"
import type { Collection, Listener, Obj, StoreEvent } from "./Store.ts"

/** How a watch was asked for. */
export interface WatchSpec {
  readonly rt: ResourceType
  readonly version: string
  readonly namespace: string | undefined
  readonly match: Matcher | undefined
  readonly resourceVersion: string | undefined
  readonly bookmarks: boolean
  readonly sendInitialEvents: boolean
  readonly timeoutMs: number
  readonly bookmarkIntervalMs: number
  /** Render objects as Table rows (kubectl get --watch). */
  readonly table: { include: "None" | "Metadata" | "Object" } | undefined
  readonly out: (o: Obj) => Obj
  readonly currentRv: () => number
}

/** One open watch connection. */
export class Watcher implements Listener {
  private readonly spec: WatchSpec
  private readonly res: ServerResponse
  private readonly coll: Collection
  private timers: NodeJS.Timeout[] = []
  private closed = false
  private first = true

  constructor(spec: WatchSpec, coll: Collection, res: ServerResponse) {
    this.spec = spec
    this.coll = coll
    this.res = res
  }

  /** Replay what the client asked for, then follow the collection. */
  start(): void {
    const s = this.spec
    this.res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" })
    // Clients wait for the headers before they consider the watch established.
    this.res.flushHeaders()
    const rv = s.resourceVersion
    if (rv === undefined || rv === "" || rv === "0" || s.sendInitialEvents) {
      const ns = s.rt.namespaced ? s.namespace : undefined
      for (const k of this.coll.sortedKeys()) {
        const o = this.coll.objects.get(k)!
        if (ns !== undefined && o.metadata.namespace !== ns) continue
        if (s.match !== undefined && !s.match(o)) continue
        this.send("ADDED", o)
      }
      if (s.sendInitialEvents) this.bookmark(true)
    } else {
      const from = Number(rv)
      const evs = Number.isFinite(from) ? this.coll.eventsAfter(from) : undefined
      if (evs === undefined) {
        const err = new StatusError(410, "Expired", `too old resource version: ${rv} (${this.coll.since})`)
        this.writeLine({ type: "ERROR", object: err.toStatus() })
        this.res.end()
        this.closed = true
        return
      }
      for (const ev of evs) this.onEvent(ev)
    }
    this.coll.listeners.add(this)
    const t = setTimeout(() => this.close(), s.timeoutMs)
    t.unref()
    this.timers.push(t)
    if (s.bookmarks) {
      const b = setInterval(() => this.bookmark(false), s.bookmarkIntervalMs)
      b.unref()
      this.timers.push(b)
    }
    this.res.on("close", () => this.close())
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.coll.listeners.delete(this)
    for (const t of this.timers) clearTimeout(t)
    this.res.end()
  }

  onEvent(ev: StoreEvent): void {
    if (this.closed) return
    const s = this.spec
    const ns = s.rt.namespaced ? s.namespace : undefined
    if (ns !== undefined && ev.obj.metadata.namespace !== ns) return
    if (s.match === undefined) {
      this.send(ev.type, ev.obj)
      return
    }
    const now = s.match(ev.obj)
    if (ev.type === "MODIFIED") {
      const before = ev.prev !== undefined && s.match(ev.prev)
      if (now && before) this.send("MODIFIED", ev.obj)
      else if (now) this.send("ADDED", ev.obj)
      else if (before) this.send("DELETED", ev.obj)
    } else if (now || (ev.type === "DELETED" && ev.prev !== undefined && s.match(ev.prev))) this.send(ev.type, ev.obj)
  }

  private send(type: string, o: Obj): void {
    const s = this.spec
    if (s.table !== undefined) {
      const t = toTable([o], s.rt.columns(s.version), s.table.include, { resourceVersion: o.metadata.resourceVersion }, this.first)
      this.first = false
      this.writeLine({ type, object: t })
    } else this.writeLine({ type, object: s.out(o) })
  }

  private bookmark(initialEnd: boolean): void {
    if (this.closed) return
    const s = this.spec
    const meta: Obj = { resourceVersion: String(s.currentRv()) }
    if (initialEnd) meta.annotations = { "k8s.io/initial-events-end": "true" }
    const object = { kind: s.rt.kind, apiVersion: apiVersionOf(s.rt.group, s.version), metadata: meta }
    this.writeLine({ type: "BOOKMARK", object })
  }

  private writeLine(ev: unknown): void {
    this.res.write(`${JSON.stringify(ev)}\n`)
  }
}
