import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { create } from '@bufbuild/protobuf'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it } from 'vitest'
import { SignedPreKeySchema } from './gen/encryption/protocol_message_pb'
import { EncryptedStore, deriveStoreKey } from '../storage/encrypted-store'
import { publicKeyOf } from '../primitives/secp256k1'
import { BUNDLE_REFRESH_INTERVAL_MS, verifyBundle } from './bundle'
import { BUNDLE_RESIGN_INTERVAL_MS, PreKeys } from './prekeys'
import { loadProtocolState } from './protocol-state'

const identityKey = sha256(utf8ToBytes('prekeys identity'))
const dirs: string[] = []
const stores: EncryptedStore[] = []
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'hush-prekeys-'))
  dirs.push(dir)
  const store = await EncryptedStore.open(dir, deriveStoreKey(identityKey))
  stores.push(store)
  const clock = { now: 1_600_000_000_000 }
  let counter = 0
  const preKeys = new PreKeys({
    identityKey,
    installationId: 'device-1',
    store,
    now: () => clock.now,
    random: (n) => sha256(utf8ToBytes(`prekeys-${counter++}`)).slice(0, n)
  })
  preKeys.load(new Map())
  await preKeys.rotateIfDue()
  return { store, clock, preKeys }
}

describe('prekeys', () => {
  it('makes a prekey, stores it before use, and replaces it after 24 h keeping the old one', async () => {
    const { store, clock, preKeys } = await setup()
    const first = preKeys.current()!
    expect(first).toHaveLength(33)
    expect(preKeys.active().version).toBe(1)
    expect((await loadProtocolState(store)).state.preKeys.size).toBe(1)

    await preKeys.rotateIfDue()
    expect(preKeys.active().version).toBe(1)
    clock.now += BUNDLE_REFRESH_INTERVAL_MS + 1
    await preKeys.rotateIfDue()
    expect(preKeys.active().version).toBe(2)
    expect(preKeys.current()).not.toEqual(first)
    expect(preKeys.privateKeyOf(first)).toBeDefined()
    expect(publicKeyOf(preKeys.privateKeyOf(preKeys.current()!)!, true)).toEqual(preKeys.current())
    expect(preKeys.privateKeyOf(new Uint8Array(33))).toBeUndefined()
    expect((await loadProtocolState(store)).state.preKeys.size).toBe(2)
  })

  it('attaches one signed copy of the bundle until it ages or what it lists changes', async () => {
    const { clock, preKeys } = await setup()
    const bundle = preKeys.bundle({})
    expect(verifyBundle(bundle)).toEqual(publicKeyOf(identityKey, false))
    clock.now += BUNDLE_RESIGN_INTERVAL_MS - 1
    expect(preKeys.bundle({})).toBe(bundle)

    const paired = { 'device-2': create(SignedPreKeySchema, { signedPreKey: publicKeyOf(sha256(utf8ToBytes('other')), true), version: 1, protocolVersion: 1 }) }
    const withPaired = preKeys.bundle(paired)
    expect(Object.keys(withPaired.signedPreKeys).sort()).toEqual(['device-1', 'device-2'])
    expect(preKeys.bundle(paired)).toBe(withPaired)

    clock.now += BUNDLE_RESIGN_INTERVAL_MS
    const resigned = preKeys.bundle(paired)
    expect(resigned).not.toBe(withPaired)
    expect(resigned.timestamp).toBe(BigInt(clock.now) * 1_000_000n)
    // A clock that went back never keeps a copy stamped in the future.
    clock.now -= 1000
    expect(preKeys.bundle(paired).timestamp).toBe(BigInt(clock.now) * 1_000_000n)
  })
})
