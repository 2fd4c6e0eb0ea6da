import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { NetworkSettings } from '../../../shared/api'
import type { DerivedKeys } from '../accounts/derivation'
import { SessionManager } from '../crypto/session-manager'
import type { Logger } from '../log/logger'
import type { Timers } from '../runtime/timers'
import { deriveStoreKey, EncryptedStore, putJson } from '../storage/encrypted-store'
import type { WhisperNode } from '../whisper/node'
import { Messenger, type MessengerEmit } from './messenger'
import { getParsed } from '../storage/parsed-records'
import { INSTALLATION_KEY, InstallationRecord } from './records'

export interface AccountMessengerOptions {
  /** `<profileDir>/data/<accountId>`: the account's protocol state lives in its `state` folder. */
  dataDir: string
  keys: Pick<DerivedKeys, 'chatPrivateKey' | 'chatPublicKey'>
  /** The name chosen at account creation, '' for none. */
  displayName: string
  node: WhisperNode
  defaultNetwork: NetworkSettings
  applyNetwork: (settings: NetworkSettings) => void
  emit: MessengerEmit
  log: Logger
  now?: () => number
  timers?: Timers
}

/** An unlocked account's messenger together with the store and sessions it runs on. */
export interface AccountMessenger {
  readonly messenger: Messenger
  close(): Promise<void>
}

/**
 * Opens what an unlocked account chats with: its encrypted store (keyed from the chat key), its
 * installation id (made once, on first unlock), the session manager and the messenger, started.
 */
export async function openAccountMessenger(options: AccountMessengerOptions): Promise<AccountMessenger> {
  const dir = join(options.dataDir, 'state')
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const store = await EncryptedStore.open(dir, deriveStoreKey(options.keys.chatPrivateKey))
  try {
    const installationId = await installationIdOf(store)
    const identity = { privateKey: options.keys.chatPrivateKey, publicKey: options.keys.chatPublicKey }
    const sessions = new SessionManager({
      identity,
      installationId,
      store,
      ...(options.now !== undefined ? { now: options.now } : {})
    })
    await sessions.init()
    const messenger = await Messenger.open({
      node: options.node,
      store,
      sessions,
      identity,
      displayName: options.displayName,
      defaultNetwork: options.defaultNetwork,
      applyNetwork: options.applyNetwork,
      emit: options.emit,
      log: options.log,
      ...(options.now !== undefined ? { now: options.now } : {}),
      ...(options.timers !== undefined ? { timers: options.timers } : {})
    })
    await messenger.start()
    return {
      messenger,
      async close() {
        await messenger.stop()
        await store.close()
      }
    }
  } catch (error) {
    await store.close()
    throw error
  }
}

async function installationIdOf(store: EncryptedStore): Promise<string> {
  // Unreadable, it is an error rather than a new id: the id names this device to every contact.
  const saved = await getParsed(store, INSTALLATION_KEY, InstallationRecord)
  if (saved) return saved.id
  const id = randomUUID()
  // Peers encrypt to this id once our bundle names it; a new one after a power failure would strand them.
  await store.batch([putJson(INSTALLATION_KEY, { id })], { sync: true })
  return id
}
