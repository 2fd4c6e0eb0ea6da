import { needsDurableWrite } from '../crypto/protocol-state'
import { delOp, type EncryptedStore, putJson, type StoreOp } from '../storage/encrypted-store'

/**
 * The writes of one step of the messenger (a received batch, a send, a status change), committed in one
 * atomic store batch together with whatever the session manager returned. Side effects that must follow
 * a durable commit (events to the renderer, confirming a decrypted message) wait in `afterCommit`.
 */
export class Transaction {
  readonly ops: StoreOp[] = []
  private readonly after: Array<() => void> = []

  putJson(key: string, value: unknown): void {
    this.ops.push(putJson(key, value))
  }

  del(key: string): void {
    this.ops.push(delOp(key))
  }

  add(ops: readonly StoreOp[]): void {
    this.ops.push(...ops)
  }

  afterCommit(effect: () => void): void {
    this.after.push(effect)
  }

  async commit(store: EncryptedStore): Promise<void> {
    // Session state is synced: the effects below (a confirmed decrypt, a message handed on) must not
    // outlive a ratchet step that a power failure could undo.
    await store.batch(this.ops, { sync: needsDurableWrite(this.ops) })
    for (const effect of this.after.splice(0)) effect()
  }
}
