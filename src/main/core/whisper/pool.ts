import type { Envelope } from './envelope'

/** An accepted envelope with everything computed once on arrival. */
export interface PooledEnvelope {
  envelope: Envelope
  /** Full envelope RLP (what is relayed and archived). */
  encoded: Uint8Array
  hash: Uint8Array
  hashHex: string
  pow: number
  /** geth-variant bloom of the topic. */
  bloom: Uint8Array
  /** Local UNIX seconds. */
  receivedAt: number
}

export interface PoolLimits {
  /** Most envelopes kept; beyond it the lowest-PoW envelope goes (nim caps at 256; geth is unbounded). */
  maxCount?: number
  /** Most bytes of envelope RLP kept. */
  maxBytes?: number
  /**
   * Longest an envelope stays, in seconds from its arrival, whatever its TTL: a long TTL keeps it valid
   * for peers that get it elsewhere, but our pool forgets it (and would take it again) after this.
   */
  maxRetentionSeconds?: number
  /** Called for each envelope pushed out to make room. */
  onEvict?: (hashHex: string) => void
}

/**
 * The envelopes a node currently holds, keyed by hash hex. Unbounded unless limits are given; with
 * limits, making room evicts lowest PoW first, and an envelope weaker than everything held is refused.
 * Entries are kept as given: callers hand in envelope bytes of their own, never a view into a packet.
 */
export class EnvelopePool<T extends PooledEnvelope = PooledEnvelope> {
  private readonly entries = new Map<string, T>()
  /** expiry → hashes, so sweeping touches only what expired. */
  private readonly byExpiry = new Map<number, Set<string>>()
  private readonly byPow: MinPowHeap<T> | null
  private totalBytes = 0

  constructor(private readonly limits: PoolLimits = {}) {
    this.byPow = limits.maxCount !== undefined || limits.maxBytes !== undefined ? new MinPowHeap<T>() : null
  }

  get size(): number {
    return this.entries.size
  }

  get bytes(): number {
    return this.totalBytes
  }

  /** False when already held, or when limits leave no room for it. */
  add(entry: T): boolean {
    if (this.entries.has(entry.hashHex)) return false
    if (!this.makeRoomFor(entry)) return false
    this.entries.set(entry.hashHex, entry)
    this.totalBytes += entry.encoded.length
    const expiry = this.sweepAt(entry)
    let bucket = this.byExpiry.get(expiry)
    if (!bucket) {
      bucket = new Set()
      this.byExpiry.set(expiry, bucket)
    }
    bucket.add(entry.hashHex)
    this.byPow?.push(entry)
    return true
  }

  has(hashHex: string): boolean {
    return this.entries.has(hashHex)
  }

  get(hashHex: string): T | undefined {
    return this.entries.get(hashHex)
  }

  delete(hashHex: string): boolean {
    const entry = this.entries.get(hashHex)
    if (!entry) return false
    this.entries.delete(hashHex)
    this.totalBytes -= entry.encoded.length
    const expiry = this.sweepAt(entry)
    const bucket = this.byExpiry.get(expiry)
    bucket?.delete(hashHex)
    if (bucket?.size === 0) this.byExpiry.delete(expiry)
    this.byPow?.compactIfSparse(this.entries.size, this.isLive)
    return true
  }

  /** Remove every envelope with expiry (or end of retention) < nowSec (geth expirationCycle); returns their hashes. */
  sweep(nowSec: number): string[] {
    const removed: string[] = []
    for (const [expiry, bucket] of this.byExpiry) {
      if (expiry >= nowSec) continue
      for (const hashHex of bucket) removed.push(hashHex)
    }
    for (const hashHex of removed) this.delete(hashHex)
    return removed
  }

  values(): IterableIterator<T> {
    return this.entries.values()
  }

  private sweepAt(entry: T): number {
    const { maxRetentionSeconds } = this.limits
    return maxRetentionSeconds === undefined
      ? entry.envelope.expiry
      : Math.min(entry.envelope.expiry, entry.receivedAt + maxRetentionSeconds)
  }

  /** Identity, not just the hash: a re-added envelope must not be confused with its stale heap entry. */
  private readonly isLive = (entry: T): boolean => this.entries.get(entry.hashHex) === entry

  private makeRoomFor(entry: T): boolean {
    const heap = this.byPow
    if (!heap) return true
    const { maxCount = Number.POSITIVE_INFINITY, maxBytes = Number.POSITIVE_INFINITY } = this.limits
    if (entry.encoded.length > maxBytes) return false
    const full = (): boolean =>
      this.entries.size + 1 > maxCount || this.totalBytes + entry.encoded.length > maxBytes
    while (full()) {
      const weakest = heap.peekLive(this.isLive)
      if (!weakest || weakest.pow >= entry.pow) return false
      heap.pop()
      this.delete(weakest.hashHex)
      this.limits.onEvict?.(weakest.hashHex)
    }
    return true
  }
}

/** Binary min-heap on PoW with lazy deletion: entries removed from the pool are skipped when they surface. */
class MinPowHeap<T extends PooledEnvelope> {
  private items: T[] = []

  push(entry: T): void {
    const items = this.items
    items.push(entry)
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if ((items[parent] as T).pow <= entry.pow) break
      items[i] = items[parent] as T
      i = parent
    }
    items[i] = entry
  }

  peekLive(isLive: (entry: T) => boolean): T | undefined {
    while (this.items.length > 0 && !isLive(this.items[0] as T)) this.pop()
    return this.items[0]
  }

  pop(): void {
    const items = this.items
    const last = items.pop()
    if (!last || items.length === 0) return
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= items.length) break
      const right = left + 1
      const child =
        right < items.length && (items[right] as T).pow < (items[left] as T).pow ? right : left
      if ((items[child] as T).pow >= last.pow) break
      items[i] = items[child] as T
      i = child
    }
    items[i] = last
  }

  /** Rebuild without dead entries once they dominate, so sweeping cannot make the heap grow without bound. */
  compactIfSparse(liveCount: number, isLive: (entry: T) => boolean): void {
    if (this.items.length <= 64 || this.items.length <= 2 * liveCount) return
    const live = this.items.filter(isLive)
    this.items = []
    for (const e of live) this.push(e)
  }
}
