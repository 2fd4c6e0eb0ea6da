import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { toBinary } from '@bufbuild/protobuf'
import { generatePrivateKey, publicKeyOf, secureRandom } from '../src/main/core/primitives/secp256k1'
import { SessionManager } from '../src/main/core/crypto/session-manager'
import { BundleSchema } from '../src/main/core/crypto/gen/encryption/protocol_message_pb'
import { EncryptedStore, deriveStoreKey } from '../src/main/core/storage/encrypted-store'
import { Transaction } from '../src/main/core/messenger/transaction'
import { rateAsync } from './measure'
import type { BenchResult, BenchSuite } from './result'

const MESSAGE = new Uint8Array(1024).fill(0x61)

interface Party {
  publicKey: Uint8Array
  privateKey: Uint8Array
  installationId: string
  dir: string
  store: EncryptedStore
  sm: SessionManager
}

async function party(name: string, privateKey = generatePrivateKey(secureRandom), dir = mkdtempSync(join(tmpdir(), `hush-bench-${name}-`))): Promise<Party> {
  const store = await EncryptedStore.open(dir, deriveStoreKey(privateKey))
  const publicKey = publicKeyOf(privateKey, false)
  const sm = new SessionManager({ identity: { privateKey, publicKey }, installationId: name, store })
  await sm.init()
  return { publicKey, privateKey, installationId: name, dir, store, sm }
}

/** The full send and receive paths, each committed in its own batch as the messenger does. */
async function deliver(from: Party, to: Party): Promise<void> {
  const sent = await from.sm.encrypt(to.publicKey, MESSAGE)
  await from.store.batch(sent.writes)
  const received = await to.sm.decrypt(from.publicKey, sent.protocolMessage)
  await to.store.batch(received.writes)
  if (received.kind === 'message') received.confirm()
}

/** A turn of the messenger: messages encrypted together and committed in one batch, received the same way. */
async function deliverTogether(from: Party, to: Party, count: number, sync: boolean): Promise<void> {
  const sent = new Transaction()
  const wires: Uint8Array[] = []
  for (let i = 0; i < count; i++) {
    const out = await from.sm.encrypt(to.publicKey, MESSAGE)
    sent.add(out.writes)
    wires.push(out.protocolMessage)
  }
  await commit(from.store, sent, sync)
  const received = new Transaction()
  const batch = to.sm.batch()
  const confirms: Array<() => void> = []
  for (const wire of wires) {
    const outcome = await to.sm.decrypt(from.publicKey, wire, batch)
    received.add(outcome.writes)
    if (outcome.kind === 'message') confirms.push(outcome.confirm)
  }
  await commit(to.store, received, sync)
  for (const confirm of confirms) confirm()
}

/** `sync`: as the messenger commits session state (Transaction.commit, fsynced); otherwise a plain batch. */
function commit(store: EncryptedStore, tx: Transaction, sync: boolean): Promise<void> {
  return sync ? tx.commit(store) : store.batch(tx.ops)
}

const TURN = 64

export const suite: BenchSuite = {
  title: 'Session manager (1 KiB messages, encrypted LevelDB state)',
  async run(): Promise<BenchResult[]> {
    const alice = await party('alice')
    const bob = await party('bob')
    const results: BenchResult[] = []
    try {
      await deliver(alice, bob)
      await deliver(bob, alice)
      await deliver(alice, bob)
      const oneWay = await rateAsync(3000, () => deliver(alice, bob))
      let turn = false
      const alternating = await rateAsync(3000, () => {
        turn = !turn
        return turn ? deliver(alice, bob) : deliver(bob, alice)
      })
      const together = TURN * (await rateAsync(3000, () => deliverTogether(alice, bob, TURN, false)))
      const syncedAlone = await rateAsync(3000, () => deliverTogether(alice, bob, 1, true))
      const syncedTogether = TURN * (await rateAsync(3000, () => deliverTogether(alice, bob, TURN, true)))
      const sent = await alice.sm.encrypt(bob.publicKey, MESSAGE)
      results.push(
        { name: 'one-way messages, encrypt+commit+decrypt+commit', value: oneWay, unit: 'msg/s' },
        { name: `one-way messages, ${TURN} per commit on each side (group commit)`, value: Math.round(together), unit: 'msg/s', target: 'issue 15: ≥ 1,500' },
        { name: 'one-way messages, one per commit, fsynced as the messenger commits session state', value: syncedAlone, unit: 'msg/s' },
        { name: `one-way messages, ${TURN} per commit, fsynced (the messenger's group commit)`, value: Math.round(syncedTogether), unit: 'msg/s', target: 'issue 15: ≥ 1,500' },
        { name: 'alternating turns (a ratchet step per message)', value: alternating, unit: 'msg/s' },
        { name: 'ProtocolMessage overhead over a 1 KiB payload', value: sent.protocolMessage.length - MESSAGE.length, unit: 'bytes', note: 'one installation, bundle attached' }
      )

      // First contact: X3DH, a new session and its first record, per new peer.
      const peers = await Promise.all(Array.from({ length: 50 }, (_, i) => party(`peer-${i}`)))
      for (const peer of peers) await alice.sm.handleBundle(peer.publicKey, toBinary(BundleSchema, peer.sm.ownBundle()))
      const x3dhStart = performance.now()
      for (const peer of peers) await alice.store.batch((await alice.sm.encrypt(peer.publicKey, MESSAGE)).writes)
      results.push({ name: 'first message to a new peer (X3DH + session)', value: Math.round((peers.length * 1000) / (performance.now() - x3dhStart)), unit: 'msg/s' })
      for (const peer of peers) {
        await peer.store.close()
        rmSync(peer.dir, { recursive: true, force: true })
      }

      // Restart cost with 1000 skipped message keys and ~53 sessions.
      for (let i = 0; i < 1000; i++) await bob.store.batch((await bob.sm.encrypt(alice.publicKey, MESSAGE)).writes)
      await deliver(bob, alice)
      await alice.store.close()
      const initStart = performance.now()
      const reopened = await party('alice', alice.privateKey, alice.dir)
      results.push({ name: 'init() with 53 sessions and 1000 stored message keys', value: Math.round(performance.now() - initStart), unit: 'ms' })
      await reopened.store.close()
    } finally {
      await bob.store.close()
      rmSync(alice.dir, { recursive: true, force: true })
      rmSync(bob.dir, { recursive: true, force: true })
    }
    return results
  }
}
