import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AccountStore } from '../src/main/core/accounts/account-store'
import { aliasFromPublicKey } from '../src/main/core/accounts/alias'
import { deriveKeys } from '../src/main/core/accounts/derivation'
import { identicon } from '../src/main/core/accounts/identicon'
import type { BenchResult, BenchSuite } from './result'

const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const KEY =
  '0x04211fe0f69772ecf7eb0b5bfc7678672508a9fb01f2d699096f0d59ef7fe1a0cb1e648a80190db1c0f5f088872444d846f2956d0bd84069f3f9f69335af852ac0'

async function msPer(times: number, task: () => unknown): Promise<number> {
  const start = performance.now()
  for (let i = 0; i < times; i++) await task()
  return (performance.now() - start) / times
}

/**
 * Peak growth of memory held in ArrayBuffers while `task` runs, in MiB, sampled every 10 ms. scrypt's
 * 256 MiB work area is one, so this counts derivations alive at once (RSS keeps earlier peaks and says less).
 */
async function peakBufferGrowth(task: () => Promise<unknown>): Promise<number> {
  const before = process.memoryUsage().arrayBuffers
  let peak = before
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers)
  }, 10)
  try {
    await task()
  } finally {
    clearInterval(sampler)
  }
  return (peak - before) / 2 ** 20
}

function perSecond(times: number, task: () => unknown): number {
  const start = performance.now()
  for (let i = 0; i < times; i++) task()
  return times / ((performance.now() - start) / 1000)
}

export const suite: BenchSuite = {
  title: 'Accounts (keystore, derivation, alias, identicon)',
  async run(): Promise<BenchResult[]> {
    const profile = await mkdtemp(join(tmpdir(), 'hush-bench-accounts-'))
    try {
      // Production KDF cost (scrypt n = 262144, r = 8, p = 1).
      const store = new AccountStore(profile)
      let id = ''
      const createMs = await msPer(1, async () => {
        id = (await store.create(MNEMONIC, 'bench password')).summary.id
      })
      const unlockMs = await msPer(3, () => store.unlock(id, 'bench password'))
      const wrongMs = await msPer(1, () => store.unlock(id, 'wrong').catch(() => undefined))
      // Issue 11: eight at once used to run eight scrypts side by side (1.8 GB); the KdfQueue runs one at a time.
      let concurrentMs = 0
      const concurrentMiB = await peakBufferGrowth(async () => {
        const start = performance.now()
        await Promise.all(Array.from({ length: 8 }, (_, i) => store.unlock(id, `wrong ${i}`).catch(() => undefined)))
        concurrentMs = performance.now() - start
      })
      return [
        { name: 'create account (scrypt n=262144 + derivation + atomic write)', value: createMs, unit: 'ms' },
        { name: 'unlock account (scrypt n=262144 + derivation)', value: unlockMs, unit: 'ms', target: '≈ 1 s (toolchain.md)' },
        { name: 'reject wrong password', value: wrongMs, unit: 'ms' },
        { name: '8 concurrent wrong passwords: all answered after', value: concurrentMs, unit: 'ms' },
        { name: '8 concurrent wrong passwords: peak buffer memory growth', value: concurrentMiB, unit: 'MiB', target: 'one scrypt (256 MiB), not eight' },
        { name: 'derive chat + wallet keys from a mnemonic', value: await msPer(20, () => deriveKeys(MNEMONIC)), unit: 'ms' },
        { name: 'generate 5 candidates', value: await msPer(3, () => store.generateCandidates(5)), unit: 'ms' },
        { name: 'alias from public key', value: perSecond(5000, () => aliasFromPublicKey(KEY)), unit: 'ops/s' },
        { name: 'identicon from public key', value: perSecond(20000, () => identicon(KEY)), unit: 'ops/s' }
      ]
    } finally {
      await rm(profile, { recursive: true, force: true })
    }
  }
}
