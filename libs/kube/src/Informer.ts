// List then watch one resource, keeping a cache and telling handlers of
// every change; re-lists on 410 Gone and reconnects after errors with
// backoff, so a restarted API server or an expired resourceVersion only
// costs a re-list.
import { backoffDelay, silentLog, type Log } from "@moor/actors"
import { KubeClient, KubeError, type KubeObject, type ResourceRef } from "./KubeClient.ts"

export interface InformerHandlers<T extends KubeObject> {
  upsert(obj: T): void
  remove(obj: T): void
}

const cacheKey = (o: KubeObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`

export class Informer<T extends KubeObject = KubeObject> {
  readonly cache = new Map<string, T>()
  private resourceVersion = ""
  private stopped = false
  private abort: AbortController | undefined
  private failures = 0
  private synced: Promise<void>
  private markSynced!: () => void

  private readonly client: KubeClient
  private readonly resource: ResourceRef
  private readonly handlers: InformerHandlers<T>
  private readonly namespace: string | undefined
  private readonly log: Log

  constructor(client: KubeClient, resource: ResourceRef, handlers: InformerHandlers<T>, o: { namespace?: string; log?: Log } = {}) {
    this.client = client
    this.resource = resource
    this.handlers = handlers
    this.namespace = o.namespace
    this.log = o.log ?? silentLog
    this.synced = new Promise((r) => (this.markSynced = r))
  }

  /** Starts; resolves after the first full list has been delivered. */
  start(): Promise<void> {
    void this.loop()
    return this.synced
  }

  stop(): void {
    this.stopped = true
    this.abort?.abort()
  }

  private async loop() {
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist()
        await this.watch()
        this.failures = 0
      } catch (e) {
        if (this.stopped) return
        if (e instanceof KubeError && e.code === 410) {
          this.resourceVersion = ""
          continue
        }
        this.failures++
        const delay = backoffDelay({ baseMs: 200, factor: 2, capMs: 10_000, jitter: 0.2 }, this.failures)
        this.log.warn("watch failed; retrying", { resource: this.resource.plural, error: String(e), delayMs: delay })
        await new Promise((r) => setTimeout(r, delay))
      }
    }
  }

  private async relist() {
    const seen = new Set<string>()
    let cont: string | undefined
    let rv = ""
    do {
      const page = await this.client.list<T>(this.resource, this.namespace, { limit: 500, continue: cont })
      for (const o of page.items) {
        // List items lack apiVersion/kind; give them back, handlers expect whole objects.
        o.apiVersion ??= this.resource.apiVersion
        o.kind ??= this.resource.kind
        const k = cacheKey(o)
        seen.add(k)
        const prev = this.cache.get(k)
        this.cache.set(k, o)
        if (prev?.metadata.resourceVersion !== o.metadata.resourceVersion) this.handlers.upsert(o)
      }
      cont = page.metadata.continue || undefined
      rv = page.metadata.resourceVersion
    } while (cont)
    for (const [k, o] of this.cache) {
      if (!seen.has(k)) {
        this.cache.delete(k)
        this.handlers.remove(o)
      }
    }
    this.resourceVersion = rv
    this.markSynced()
  }

  private async watch() {
    this.abort = new AbortController()
    const res = await this.client.stream("GET", KubeClient.path(this.resource, this.namespace), {
      query: { watch: 1, resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
      signal: this.abort.signal,
    })
    if (res.statusCode !== 200) {
      let text = ""
      for await (const c of res) text += c
      const st = (() => {
        try {
          return JSON.parse(text) as { reason?: string; message?: string }
        } catch {
          return { message: text }
        }
      })()
      throw new KubeError(res.statusCode ?? 0, st.reason ?? "", st.message ?? text)
    }
    let buf = ""
    for await (const chunk of res) {
      buf += chunk
      let nl: number
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim()
        buf = buf.slice(nl + 1)
        if (line) this.onEvent(JSON.parse(line) as { type: string; object: any })
      }
    }
  }

  private onEvent(ev: { type: string; object: any }) {
    if (ev.type === "ERROR") {
      const st = ev.object as { code?: number; reason?: string; message?: string }
      throw new KubeError(st.code ?? 500, st.reason ?? "", st.message ?? "watch error")
    }
    const o = ev.object as T
    if (o.metadata?.resourceVersion) this.resourceVersion = o.metadata.resourceVersion
    if (ev.type === "BOOKMARK") return
    const k = cacheKey(o)
    if (ev.type === "DELETED") {
      this.cache.delete(k)
      this.handlers.remove(o)
    } else {
      this.cache.set(k, o)
      this.handlers.upsert(o)
    }
  }
}
