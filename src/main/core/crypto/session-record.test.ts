import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it } from 'vitest'
import { EncryptedStore, deriveStoreKey, putOp } from '../storage/encrypted-store'
import { CryptoError } from '../primitives/crypto-error'
import { publicKeyOf, secureRandom } from '../primitives/secp256k1'
import { MESSAGE_KEY_PREFIX, SESSION_STATE_PREFIX } from './protocol-state'
import { decodeMessageKeyRecord, decodeSessionRecord, encodeSessionRecord } from './session-record'
import { SessionManager } from './session-manager'

/** Written by Hush at commit fc28534 (JSON session records), before the binary format: see its `comment`. */
interface LegacyFixture {
  nowMs: number
  alice: LegacyParty
  bob: LegacyParty
  skipped: string
}
interface LegacyParty {
  name: string
  installationId: string
  records: Array<[string, string]>
}
const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../../test/fixtures/protocol-state/legacy-json-sessions.json'), 'utf8')
) as LegacyFixture

const dirs: string[] = []
const stores: EncryptedStore[] = []
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function restore(party: LegacyParty) {
  const privateKey = sha256(utf8ToBytes(`identity ${party.name}`))
  const publicKey = publicKeyOf(privateKey, false)
  const dir = mkdtempSync(join(tmpdir(), 'hush-legacy-state-'))
  dirs.push(dir)
  const store = await EncryptedStore.open(dir, deriveStoreKey(privateKey))
  stores.push(store)
  await store.batch(party.records.map(([key, value]) => putOp(key, Buffer.from(value, 'base64'))))
  const sm = new SessionManager({ identity: { privateKey, publicKey }, installationId: party.installationId, store, now: () => fixture.nowMs, random: secureRandom })
  await sm.init()
  return { publicKey, store, sm }
}

async function recordsUnder(store: EncryptedStore, prefix: string): Promise<Array<[string, Uint8Array]>> {
  const out: Array<[string, Uint8Array]> = []
  for await (const entry of store.iterate(prefix)) out.push(entry)
  return out
}

describe('stored session records', () => {
  it('opens the JSON state written by earlier Hush, rewrites it in the binary format and carries on', async () => {
    const legacySessions = fixture.alice.records.filter(([key]) => key.startsWith(SESSION_STATE_PREFIX))
    expect(legacySessions.length).toBeGreaterThan(0)
    expect(Buffer.from(legacySessions[0]![1], 'base64')[0]).toBe(0x7b)

    const alice = await restore(fixture.alice)
    const bob = await restore(fixture.bob)
    for (const store of [alice.store, bob.store]) {
      for (const prefix of [SESSION_STATE_PREFIX, MESSAGE_KEY_PREFIX]) {
        for (const [, value] of await recordsUnder(store, prefix)) expect(value[0]).toBe(2)
      }
    }
    expect((await recordsUnder(alice.store, MESSAGE_KEY_PREFIX)).length).toBe(1)

    // The message key Alice stored in JSON still opens the message Bob sent before the upgrade.
    const skipped = await alice.sm.decrypt(bob.publicKey, hexToBytes(fixture.skipped))
    expect(skipped.kind).toBe('message')
    if (skipped.kind !== 'message') return
    expect(new TextDecoder().decode(skipped.payload)).toBe('skipped before the upgrade')
    await alice.store.batch(skipped.writes)
    skipped.confirm()

    for (const [from, to, text] of [
      [alice, bob, 'after the upgrade'],
      [bob, alice, 'answered after the upgrade'],
      [alice, bob, 'and again']
    ] as const) {
      const sent = await from.sm.encrypt(to.publicKey, utf8ToBytes(text))
      await from.store.batch(sent.writes)
      const received = await to.sm.decrypt(from.publicKey, sent.protocolMessage)
      expect(received.kind).toBe('message')
      if (received.kind !== 'message') return
      expect(received.via).toBe('ratchet')
      expect(new TextDecoder().decode(received.payload)).toBe(text)
      await to.store.batch(received.writes)
      received.confirm()
    }
  })

  it('round-trips a session record and refuses malformed ones with a typed error naming the record', async () => {
    const alice = await restore(fixture.alice)
    const [key, value] = (await recordsUnder(alice.store, SESSION_STATE_PREFIX))[0]!
    const session = decodeSessionRecord(key, value)
    expect(decodeSessionRecord(key, encodeSessionRecord(session))).toEqual(session)
    const [keyRecord, keyValue] = (await recordsUnder(alice.store, MESSAGE_KEY_PREFIX))[0]!
    expect(decodeMessageKeyRecord(keyRecord, keyValue).key).toHaveLength(32)

    for (const bad of [
      Uint8Array.of(3, ...value.subarray(1)),
      value.subarray(0, value.length - 3),
      encodeSessionRecord({ ...session, bundleId: new Uint8Array(32) }),
      encodeSessionRecord({ ...session, pendingX3dh: new Uint8Array(5) }),
      encodeSessionRecord({ ...session, createdMs: -1 })
    ]) {
      let error: unknown
      try {
        decodeSessionRecord(key, bad)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(CryptoError)
      expect((error as CryptoError).code).toBe('STATE_MALFORMED')
      expect((error as CryptoError).message).toContain(key)
    }
  })
})
