import { delOp, type EncryptedStore, putJson, type StoreOp } from '../storage/encrypted-store'

/**
 * The writes of one step of the messenger (a received batch, a send, a status change), committed in one
 * atomic store batch together with whatever the session manager returned. Side effects that must follow
 * a durable commit (events to the renderer, confirming a decrypted message) wait in `afterCommit`.
 */
export class Transaction {
  /** The last write staged for each key: a record changed twice in one step is sealed and written once. */
  private readonly writes = new Map<string, StoreOp>()
  private readonly after: Array<() => void> = []

  get ops(): StoreOp[] {
    return [...this.writes.values()]
  }

  putJson(key: string, value: unknown): void {
    this.writes.set(key, putJson(key, value))
  }

  del(key: string): void {
    this.writes.set(key, delOp(key))
  }

  add(ops: readonly StoreOp[]): void {
    for (const op of ops) this.writes.set(op.key, op)
  }

  afterCommit(effect: () => void): void {
    this.after.push(effect)
  }

  async commit(store: EncryptedStore): Promise<void> {
    await store.batch(this.ops)
    for (const effect of this.after.splice(0)) effect()
  }
}
