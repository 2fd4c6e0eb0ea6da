import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromBinary } from '@bufbuild/protobuf'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { expect } from 'vitest'
import { ProtocolMessageSchema, type ProtocolMessage } from './gen/encryption/protocol_message_pb'
import { EncryptedStore, deriveStoreKey } from '../storage/encrypted-store'
import { CryptoError } from '../primitives/crypto-error'
import { publicKeyOf, type RandomBytes } from '../primitives/secp256k1'
import { SessionManager, type DecryptOutcome, type SharedSecretEvent } from './session-manager'

/* Two-party harness for the SessionManager tests: parties with their own encrypted store and a shared clock. */
export const HOUR = 60 * 60 * 1000
const dirs: string[] = []
const stores: EncryptedStore[] = []

/** Closes every party's store and deletes its directory: call from afterEach. */
export async function closeParties(): Promise<void> {
  for (const store of stores.splice(0)) await store.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** A store a test opened itself, closed with the parties'. */
export function track(store: EncryptedStore): void {
  stores.push(store)
}

/** A store the test closed itself. */
export function untrack(store: EncryptedStore): void {
  stores.splice(stores.indexOf(store), 1)
}

/** Deterministic randomness: SHA-256 over a seed and a counter. */
export function seededRandom(seed: string): RandomBytes {
  let counter = 0
  return (length) => {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i += 32) out.set(sha256(utf8ToBytes(`${seed}/${counter++}`)).subarray(0, Math.min(32, length - i)), i)
    return out
  }
}

export const clock = { now: 1_600_000_000_000 }
let partyCount = 0
export const text = (s: string) => utf8ToBytes(s)
export const read = (b: Uint8Array) => new TextDecoder().decode(b)

export class Party {
  readonly privateKey: Uint8Array
  readonly publicKey: Uint8Array
  readonly dir: string
  store!: EncryptedStore
  sm!: SessionManager
  readonly secrets: SharedSecretEvent[] = []
  private restarts = 0
  private readonly seed = `party-${partyCount++}`

  constructor(
    readonly name: string,
    readonly installationId: string
  ) {
    this.privateKey = sha256(utf8ToBytes(`identity ${name}`))
    this.publicKey = publicKeyOf(this.privateKey, false)
    this.dir = mkdtempSync(join(tmpdir(), `hush-sessions-${installationId}-`))
    dirs.push(this.dir)
  }

  static async start(name: string, installationId: string): Promise<Party> {
    const party = new Party(name, installationId)
    await party.open()
    return party
  }

  async open(): Promise<void> {
    this.store = await EncryptedStore.open(this.dir, deriveStoreKey(this.privateKey))
    stores.push(this.store)
    this.sm = this.manager()
    this.sm.on('sharedSecret', (e) => this.secrets.push(e))
    await this.sm.init()
  }

  manager(): SessionManager {
    return new SessionManager({
      identity: { privateKey: this.privateKey, publicKey: this.publicKey },
      installationId: this.installationId,
      store: this.store,
      now: () => clock.now,
      random: seededRandom(`${this.seed}/${this.restarts}`)
    })
  }

  /** Process exit: whatever was not committed is gone. */
  async restart(): Promise<void> {
    stores.splice(stores.indexOf(this.store), 1)
    await this.store.close()
    this.restarts++
    await this.open()
  }

  async send(to: Party, body: string): Promise<Uint8Array> {
    const out = await this.sm.encrypt(to.publicKey, text(body))
    await this.store.batch(out.writes)
    return out.protocolMessage
  }

  /** Decrypt, commit, confirm: the full receive path. */
  async receive(from: Party, protocolMessage: Uint8Array): Promise<string> {
    const outcome = await this.sm.decrypt(from.publicKey, protocolMessage)
    if (outcome.kind !== 'message') throw new Error(`expected a message, got ${outcome.kind}`)
    await this.store.batch(outcome.writes)
    outcome.confirm()
    return read(outcome.payload)
  }
}

export function decode(protocolMessage: Uint8Array): ProtocolMessage {
  return fromBinary(ProtocolMessageSchema, protocolMessage)
}

export function message(outcome: DecryptOutcome): Extract<DecryptOutcome, { kind: 'message' }> {
  expect(outcome.kind).toBe('message')
  return outcome as Extract<DecryptOutcome, { kind: 'message' }>
}

export async function cryptoError(promise: Promise<unknown>): Promise<CryptoError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(CryptoError)
  return error as CryptoError
}

export async function handshake(alice: Party, bob: Party): Promise<void> {
  expect(await bob.receive(alice, await alice.send(bob, 'hello bob'))).toBe('hello bob')
  expect(await alice.receive(bob, await bob.send(alice, 'hello alice'))).toBe('hello alice')
  expect(await bob.receive(alice, await alice.send(bob, 'all set'))).toBe('all set')
}
