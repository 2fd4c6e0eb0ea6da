import { scryptAsync } from '@noble/hashes/scrypt.js'
import { AccountError } from './account-error'

export interface KdfParams {
  n: number
  r: number
  p: number
}

/** Web3 Secret Storage defaults (about 1 s and 256 MiB per derivation); tests inject a small `n`. */
export const DEFAULT_KDF: KdfParams = { n: 262144, r: 8, p: 1 }

export const DERIVED_KEY_LENGTH = 32
/** A file can name any KDF cost; refuse ones that would exhaust memory or stall the app. */
export const MAX_SCRYPT_MEMORY = 512 * 1024 * 1024

/** Stretches a (normalised) password; rejects with `signal.reason` once the signal is aborted. */
export type DeriveKey = (password: Uint8Array, salt: Uint8Array, params: KdfParams, signal?: AbortSignal) => Promise<Uint8Array>

export const scryptDeriveKey: DeriveKey = (password, salt, params, signal) =>
  scryptAsync(password, salt, {
    N: params.n,
    r: params.r,
    p: params.p,
    dkLen: DERIVED_KEY_LENGTH,
    maxmem: MAX_SCRYPT_MEMORY + 1024 * 1024,
    // Throwing from the progress callback is the one way to stop noble's scrypt midway and free its memory.
    onProgress: signal ? () => signal.throwIfAborted() : undefined
  })

/** One running derivation plus this many waiting: 8 concurrent attempts are served, a ninth is refused. */
export const DEFAULT_MAX_PENDING = 8

export interface KdfQueueOptions {
  derive?: DeriveKey
  /** Derivations allowed in the queue, the running one included; more are refused with BUSY. */
  maxPending?: number
}

interface Job {
  start(): Promise<void>
}

/**
 * Runs key derivations one at a time, so concurrent password attempts cost the memory of one scrypt
 * rather than one each. The queue is bounded, and a caller whose signal aborts (its API call timed out)
 * leaves the queue at once, or stops its derivation if it is already running.
 */
export class KdfQueue {
  private readonly deriveKey: DeriveKey
  private readonly maxPending: number
  private readonly waiting: Job[] = []
  private running = false

  constructor(options: KdfQueueOptions = {}) {
    this.deriveKey = options.derive ?? scryptDeriveKey
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING
  }

  /** Derivations queued or running. */
  get pending(): number {
    return this.waiting.length + (this.running ? 1 : 0)
  }

  derive(password: Uint8Array, salt: Uint8Array, params: KdfParams, signal?: AbortSignal): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      if (this.pending >= this.maxPending) {
        return reject(new AccountError('BUSY', 'too many password checks are already waiting; try again in a moment'))
      }
      const onAbort = () => {
        const at = this.waiting.indexOf(job)
        if (at >= 0) this.waiting.splice(at, 1)
        reject(signal?.reason)
      }
      const job: Job = {
        start: () => {
          signal?.removeEventListener('abort', onAbort)
          return this.deriveKey(password, salt, params, signal).then(resolve, reject)
        }
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiting.push(job)
      this.next()
    })
  }

  private next(): void {
    if (this.running) return
    const job = this.waiting.shift()
    if (!job) return
    this.running = true
    void job.start().finally(() => {
      this.running = false
      this.next()
    })
  }
}
