import { FilterSet, type ReceivedMessage } from './filters'
import type { SubscribeSpec } from './node-api'
import type { PooledEnvelope } from './pool'

/**
 * Installed filters and their subscribers: an envelope is decrypted by the filters watching its topic
 * and each matching message goes to its subscriber. A subscriber that throws is reported, and the
 * others still get the message.
 */
export class Subscriptions {
  private readonly filters = new FilterSet()
  private readonly handlers = new Map<string, (message: ReceivedMessage) => void>()

  constructor(private readonly onError: (error: Error) => void) {}

  get size(): number {
    return this.handlers.size
  }

  /** Returns the filter id. */
  add(spec: SubscribeSpec, handler: (message: ReceivedMessage) => void): string {
    const key = 'symKey' in spec.key ? { kind: 'sym' as const, symKey: spec.key.symKey } : { kind: 'asym' as const, privateKey: spec.key.privateKey }
    const id = this.filters.install({ ...spec, key })
    this.handlers.set(id, handler)
    return id
  }

  /** False when `id` was not installed (removed already). */
  remove(id: string): boolean {
    if (!this.filters.uninstall(id)) return false
    this.handlers.delete(id)
    return true
  }

  /** `p2p`: the envelope came directly from a trusted peer (code 127), only allowP2P filters take it. */
  deliver(pooled: PooledEnvelope, p2p: boolean): void {
    if (this.handlers.size === 0) return
    for (const { filterId, message } of this.filters.deliver(pooled, { p2p })) {
      try {
        this.handlers.get(filterId)?.(message)
      } catch (error) {
        this.onError(error instanceof Error ? error : new Error(String(error)))
      }
    }
  }

  /** What a light node advertises: the OR of the installed topics' blooms. */
  bloom(): Uint8Array {
    return this.filters.bloom()
  }
}
