// Durable state for --data: a snapshot of every object plus an append-only journal of
// changes since. On start the snapshot is loaded and the journal replayed, which also
// refills the watch event logs, so watches resume across a restart. The journal is
// folded into a new snapshot when it grows past a bound.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs"
import { join } from "node:path"
import type { Journal, Obj, Store, StoreEvent } from "./Store.ts"

const keyOf = (o: Obj): string => (o.metadata.namespace === undefined ? o.metadata.name : `${o.metadata.namespace}/${o.metadata.name}`)

/** Snapshot + journal in one directory. */
export class Persistence implements Journal {
  private readonly dir: string
  private readonly store: Store
  private fd: number
  private lines = 0

  private constructor(dir: string, store: Store) {
    this.dir = dir
    this.store = store
    this.fd = openSync(join(dir, "journal.jsonl"), "a")
  }

  /** Load what `dir` holds into the store and start journaling to it. */
  static open(dir: string, store: Store): Persistence {
    mkdirSync(dir, { recursive: true })
    const snap = join(dir, "snapshot.json")
    if (existsSync(snap)) {
      const s = JSON.parse(readFileSync(snap, "utf8")) as { rv: number; collections: Record<string, Obj[]> }
      for (const [name, objs] of Object.entries(s.collections)) {
        const c = store.collection(name)
        for (const o of objs) c.put(keyOf(o), o)
      }
      store.rv = s.rv
      for (const c of store.collections.values()) c.since = s.rv
    }
    const journal = join(dir, "journal.jsonl")
    let lines = 0
    if (existsSync(journal)) {
      const text = readFileSync(journal, "utf8")
      for (const line of text.split("\n")) {
        if (line === "") continue
        let e: { c: string; t: StoreEvent["type"]; rv: number; o: Obj; p?: Obj }
        try {
          e = JSON.parse(line)
        } catch {
          break // a torn last line after a crash
        }
        if (e.rv <= store.rv && lines === 0 && existsSync(snap)) continue
        store.replay(e.c, { rv: e.rv, type: e.t, obj: e.o, prev: e.p }, keyOf)
        lines++
      }
    }
    const p = new Persistence(dir, store)
    p.lines = lines
    store.journal = p
    return p
  }

  write(collection: string, ev: StoreEvent): void {
    const rec: Obj = { c: collection, t: ev.type, rv: ev.rv, o: ev.obj }
    if (ev.type === "MODIFIED" && ev.prev !== undefined) rec.p = ev.prev
    writeSync(this.fd, `${JSON.stringify(rec)}\n`)
    this.lines++
    let objects = 0
    if (this.lines > 20_000) {
      for (const c of this.store.collections.values()) objects += c.objects.size
      if (this.lines > 2 * objects) this.snapshot()
    }
  }

  /** Fold the journal into a new snapshot. */
  snapshot(): void {
    const collections: Record<string, Obj[]> = {}
    for (const [name, c] of this.store.collections) collections[name] = [...c.objects.values()]
    const tmp = join(this.dir, "snapshot.json.tmp")
    writeFileSync(tmp, JSON.stringify({ rv: this.store.rv, collections }))
    renameSync(tmp, join(this.dir, "snapshot.json"))
    closeSync(this.fd)
    this.fd = openSync(join(this.dir, "journal.jsonl"), "w")
    this.lines = 0
  }

  close(): void {
    closeSync(this.fd)
  }
}
