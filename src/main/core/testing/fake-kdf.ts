import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes } from '@noble/hashes/utils.js'
import type { DeriveKey } from '../accounts/key-stretching'

/**
 * A key derivation that costs nothing, for unit tests of what surrounds scrypt (queueing, cancelling,
 * counting derivations). It records each derivation it starts, and with `held` each one waits for
 * release() or its signal, so a test decides when work finishes.
 */
export class FakeKdf {
  /** The password of every derivation started, in order. */
  readonly started: string[] = []
  active = 0
  maxActive = 0
  private readonly gates: Array<() => void> = []

  constructor(private readonly held = false) {}

  readonly derive: DeriveKey = async (password, salt, _params, signal) => {
    this.started.push(new TextDecoder().decode(password))
    this.maxActive = Math.max(this.maxActive, ++this.active)
    try {
      await new Promise<void>((resolve, reject) => {
        signal?.addEventListener(
          'abort',
          () => {
            const at = this.gates.indexOf(resolve)
            if (at >= 0) this.gates.splice(at, 1)
            reject(signal.reason)
          },
          { once: true }
        )
        if (this.held) this.gates.push(resolve)
        // Without a hold, finish on a later turn of the event loop so concurrent callers overlap.
        else setImmediate(resolve)
      })
      return sha256(concatBytes(password, salt))
    } finally {
      this.active--
    }
  }

  /** Lets the oldest held derivation finish. */
  release(): void {
    this.gates.shift()?.()
  }
}
