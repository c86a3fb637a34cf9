// Talking to actors from outside (the CLI, tests, other services): commands
// by request/reply, events by subscription.
import { Codecs, cmdSubject, evtWildcard, type ActorKey, type Command, type CommandReply, type Event } from "@moor/protocol"
import type { TransportShape } from "./Transport.ts"

export class Client {
  private readonly transport: TransportShape
  constructor(transport: TransportShape) {
    this.transport = transport
  }

  /** Sends a command to one actor and decodes the reply; rejects when no replica answers in time. */
  async command(key: ActorKey, cmd: Command, timeoutMs = 5_000): Promise<CommandReply> {
    const reply = await this.transport.request(cmdSubject(key), Codecs.command.encode(cmd), timeoutMs)
    return Codecs.commandReply.decode(reply)
  }

  /** Calls `on` for every event (of a kind, or all); returns the unsubscribe function. */
  events(on: (e: Event, subject: string) => void, kind?: string): () => void {
    return this.transport.subscribe(evtWildcard(kind), (m) => {
      try {
        on(Codecs.event.decode(m.data), m.subject)
      } catch {
        // a malformed event from a foreign publisher is not ours to crash on
      }
    })
  }
}
