import { utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { FakeKdf } from '../testing/fake-kdf'
import { AccountError } from './account-error'
import { DEFAULT_KDF, KdfQueue, scryptDeriveKey } from './key-stretching'

const SALT = new Uint8Array(32)
const PARAMS = { n: 1024, r: 8, p: 1 }
const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('KdfQueue', () => {
  it('runs concurrent derivations one at a time, in arrival order', async () => {
    const kdf = new FakeKdf()
    const queue = new KdfQueue({ derive: kdf.derive })
    const passwords = Array.from({ length: 8 }, (_, i) => `pw${i}`)
    const keys = await Promise.all(passwords.map((pw) => queue.derive(utf8ToBytes(pw), SALT, PARAMS)))
    expect(kdf.maxActive).toBe(1)
    expect(kdf.started).toEqual(passwords)
    expect(new Set(keys.map((k) => k.join())).size).toBe(8)
    expect(queue.pending).toBe(0)
  })

  it('refuses work beyond its bound with BUSY and serves the rest', async () => {
    const kdf = new FakeKdf()
    const queue = new KdfQueue({ derive: kdf.derive, maxPending: 3 })
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => queue.derive(utf8ToBytes(`pw${i}`), SALT, PARAMS))
    )
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected'])
    for (const r of results.slice(3)) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AccountError)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'BUSY' })
    }
    expect(kdf.started).toEqual(['pw0', 'pw1', 'pw2'])
  })

  it('drops a waiting derivation whose caller gave up, without ever running it', async () => {
    const kdf = new FakeKdf(true)
    const queue = new KdfQueue({ derive: kdf.derive })
    const first = queue.derive(utf8ToBytes('first'), SALT, PARAMS)
    const abort = new AbortController()
    const second = queue.derive(utf8ToBytes('second'), SALT, PARAMS, abort.signal)
    const third = queue.derive(utf8ToBytes('third'), SALT, PARAMS)
    await settle()
    expect(queue.pending).toBe(3)
    abort.abort(new Error('timed out'))
    await expect(second).rejects.toThrow('timed out')
    expect(queue.pending).toBe(2)
    kdf.release()
    await first
    await settle()
    kdf.release()
    await third
    expect(kdf.started).toEqual(['first', 'third'])
  })

  it('stops the running derivation when its caller gives up, and moves on', async () => {
    const kdf = new FakeKdf(true)
    const queue = new KdfQueue({ derive: kdf.derive })
    const abort = new AbortController()
    const running = queue.derive(utf8ToBytes('running'), SALT, PARAMS, abort.signal)
    const next = queue.derive(utf8ToBytes('next'), SALT, PARAMS)
    await settle()
    abort.abort(new Error('timed out'))
    await expect(running).rejects.toThrow('timed out')
    await settle()
    expect(kdf.started).toEqual(['running', 'next'])
    kdf.release()
    await next
  })

  it('never starts work for a signal that is already aborted', async () => {
    const kdf = new FakeKdf()
    const queue = new KdfQueue({ derive: kdf.derive })
    await expect(queue.derive(utf8ToBytes('x'), SALT, PARAMS, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone')
    expect(kdf.started).toEqual([])
  })
})

describe('scryptDeriveKey', () => {
  it('abandons a production-cost derivation midway when its signal aborts', async () => {
    const abort = new AbortController()
    const reason = new Error('timed out')
    const derivation = scryptDeriveKey(utf8ToBytes('pw'), SALT, DEFAULT_KDF, abort.signal)
    setTimeout(() => abort.abort(reason), 50)
    // A derivation that ran to its end would resolve; only the abort check inside scrypt rejects.
    await expect(derivation).rejects.toBe(reason)
  })
})
