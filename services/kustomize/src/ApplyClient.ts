// Requests to the apply actor of the target cluster (moor.apply.<cluster>).
// No apply service listening is its own error, so the status can say what
// to start instead of a bare timeout.
import type { NatsConnection } from "@nats-io/transport-node"
import { applySubject, Codecs, type ApplyReply, type ApplyRequest } from "@moor/protocol"

/** Nobody answers on moor.apply.<cluster>, or not in time. */
export class ApplyUnavailable extends Error {
  override readonly name = "ApplyUnavailable"
}

export class ApplyClient {
  readonly cluster: string
  private readonly nc: NatsConnection
  constructor(nc: NatsConnection, cluster: string) {
    this.nc = nc
    this.cluster = cluster
  }

  async request(req: ApplyRequest, timeoutMs: number): Promise<ApplyReply> {
    const subject = applySubject(this.cluster)
    let data: Uint8Array
    try {
      data = (await this.nc.request(subject, Codecs.applyRequest.encode(req), { timeout: timeoutMs })).data
    } catch (e) {
      const err = e as { name?: string; message?: string; isNoResponders?: () => boolean; cause?: { name?: string } }
      if (err.isNoResponders?.() || /no responders/i.test(err.message ?? "") || err.cause?.name === "NoRespondersError")
        throw new ApplyUnavailable(
          `no apply service for cluster '${this.cluster}' is listening on ${subject}: host one ('moor run' with the apply service, or 'moor agent' on that cluster)`,
        )
      if (err.name === "TimeoutError" || /timeout/i.test(err.message ?? "") || err.cause?.name === "TimeoutError")
        throw new ApplyUnavailable(`the apply service for cluster '${this.cluster}' did not answer on ${subject} within ${Math.round(timeoutMs / 1000)}s`)
      throw e
    }
    return Codecs.applyReply.decode(data)
  }
}
