import { needsDurableWrite } from '../crypto/protocol-state'
import { delOp, type EncryptedStore, putJson, type StoreOp } from '../storage/encrypted-store'

/**
 * The writes of one step of the messenger (a received batch, a send, a status change), committed in one
 * atomic store batch together with whatever the session manager returned. Memory follows disk: changes to
 * in-memory state are staged here (StagedMap, `onCommit`) and applied only once the batch is durable; side
 * effects that must follow a durable commit (events, posts, confirming a decrypted message) wait in
 * `afterCommit`. A failed commit applies nothing and runs nothing.
 */
export class Transaction {
  /** The last write staged for each key: a record changed twice in one step is sealed and written once. */
  private readonly writes = new Map<string, StoreOp>()
  private readonly apply: Array<() => void> = []
  private readonly after: Array<() => void> = []
  private readonly overlays = new Map<StagedMap<unknown>, Map<string, { value: unknown }>>()
  private staging = 0

  /** `parent` is given by `nested`. */
  constructor(private readonly parent?: Transaction) {}

  /**
   * A step inside this transaction that can still be left out whole (one bad message of a received batch):
   * its reads see this transaction's staged changes, and its own changes join this transaction only when
   * it is merged. It cannot commit on its own.
   */
  nested(): Transaction {
    return new Transaction(this)
  }

  /** Adds this nested step's writes, staged changes and effects to its parent transaction. */
  merge(): void {
    const parent = this.parent
    if (!parent) throw new Error('only a nested transaction merges')
    parent.add(this.ops)
    for (const [map, overlay] of this.overlays) for (const [key, { value }] of overlay) parent.stage(map, key, value)
    parent.apply.push(...this.apply.splice(0))
    parent.after.push(...this.after.splice(0))
  }

  get ops(): StoreOp[] {
    return [...this.writes.values()]
  }

  /** Bytes of keys and values staged so far: what bounds a batch. */
  get size(): number {
    return this.staging
  }

  putJson(key: string, value: unknown): void {
    this.set(putJson(key, value))
  }

  del(key: string): void {
    this.set(delOp(key))
  }

  add(ops: readonly StoreOp[]): void {
    for (const op of ops) this.set(op)
  }

  /** Changes memory once the batch is durable, before any `afterCommit` effect. */
  onCommit(change: () => void): void {
    this.apply.push(change)
  }

  afterCommit(effect: () => void): void {
    this.after.push(effect)
  }

  /** What `map` looks like inside this transaction for `key`, if the transaction changed it. */
  staged<V>(map: StagedMap<V>, key: string): { value: V | undefined } | undefined {
    const own = this.overlays.get(map as StagedMap<unknown>)?.get(key) as { value: V | undefined } | undefined
    return own ?? this.parent?.staged(map, key)
  }

  stage<V>(map: StagedMap<V>, key: string, value: V | undefined): void {
    let overlay = this.overlays.get(map as StagedMap<unknown>)
    if (!overlay) {
      overlay = new Map()
      this.overlays.set(map as StagedMap<unknown>, overlay)
      // A nested step's overlay is applied through its parent's, once merged.
      if (!this.parent) this.apply.push(() => map.apply(overlay as Map<string, { value: V | undefined }>))
    }
    overlay.set(key, { value })
  }

  private set(op: StoreOp): void {
    this.staging += opSize(op) - opSize(this.writes.get(op.key))
    this.writes.set(op.key, op)
  }

  async commit(store: EncryptedStore): Promise<void> {
    if (this.parent) throw new Error('a nested transaction commits with its parent')
    // Session state is synced: the effects below (a confirmed decrypt, a message handed on) must not
    // outlive a ratchet step that a power failure could undo.
    await store.batch(this.ops, { sync: needsDurableWrite(this.ops) })
    for (const change of this.apply.splice(0)) change()
    for (const effect of this.after.splice(0)) effect()
  }
}

function opSize(op: StoreOp | undefined): number {
  if (!op) return 0
  return op.key.length + (op.type === 'put' ? op.value.length : 0)
}

/**
 * An in-memory table whose changes go through a Transaction: reads with the transaction see its staged
 * changes, reads without it see what is committed.
 */
export class StagedMap<V> {
  constructor(private readonly committed = new Map<string, V>()) {}

  get(key: string, tx?: Transaction): V | undefined {
    const staged = tx?.staged(this, key)
    return staged ? staged.value : this.committed.get(key)
  }

  has(key: string, tx?: Transaction): boolean {
    return this.get(key, tx) !== undefined
  }

  set(tx: Transaction, key: string, value: V): void {
    tx.stage(this, key, value)
  }

  delete(tx: Transaction, key: string): void {
    tx.stage<V>(this, key, undefined)
  }

  /** Committed values. */
  values(): IterableIterator<V> {
    return this.committed.values()
  }

  get size(): number {
    return this.committed.size
  }

  /** Called by the transaction once it is durable. */
  apply(changes: ReadonlyMap<string, { value: V | undefined }>): void {
    for (const [key, { value }] of changes) {
      if (value === undefined) this.committed.delete(key)
      else this.committed.set(key, value)
    }
  }
}
