import { mkdirSync } from 'node:fs'
import { platform } from 'node:os'
import { type AppInfo, HushError, type NetworkSettings, type NodeStatus } from '../../shared/api'
import { AccountService } from './accounts/account-service'
import { AccountStore } from './accounts/account-store'
import type { KdfParams } from './accounts/keystore'
import type { Dispatch } from './api/dispatch'
import { createDispatch } from './api/dispatch'
import { EventHub } from './api/event-hub'
import type { HandlerTable } from './api/handlers'
import type { Logger } from './log/logger'
import { safeExternalUrl } from './security/external-url'
import { ProfileLock } from './storage/profile-lock'
import type { WhisperNode } from './whisper/node'

/** Chat handlers before the messenger exists: every one needs an unlocked account. */
function locked(): never {
  throw new HushError('LOCKED', 'Unlock an account first')
}

/** What the host needs from the network layer: a status snapshot and a change feed. */
export interface NetworkService {
  start(): Promise<void>
  stop(): Promise<void>
  status(): NodeStatus
  onStatus(listener: () => void): () => void
  /** The node chats run on; absent in tests of the API plumbing, where chat methods answer UNAVAILABLE. */
  whisper?: WhisperNode
  /** Connects an account's own static peers, bootnodes and mailservers (settings.network). */
  usePeers?(settings: NetworkSettings): void
}

export interface CoreOptions {
  profileDir: string
  runtime: AppInfo['runtime']
  version: string
  log: Logger
  network: NetworkService
  /** Hands a validated URL to the system browser; absent where there is none (the web host). */
  openExternal?: (url: string) => Promise<void>
  /** Cheaper key stretching for tests; production always uses the keystore default. */
  kdf?: KdfParams
}

/**
 * The Hush core as one object: owns the profile lock, the services and the handler table, and serves every
 * transport through the same dispatch and event hub. It imports nothing from Electron.
 */
export class HushCore {
  readonly events = new EventHub()
  readonly dispatch: Dispatch
  readonly accounts: AccountService
  private lock: ProfileLock | null = null
  private readonly disposers: Array<() => void> = []

  constructor(private readonly options: CoreOptions) {
    this.accounts = new AccountService(new AccountStore(options.profileDir, { kdf: options.kdf }))
    this.dispatch = createDispatch(this.handlers(), options.log.child('api'))
  }

  async start(): Promise<void> {
    mkdirSync(this.options.profileDir, { recursive: true, mode: 0o700 })
    this.lock = ProfileLock.acquire(this.options.profileDir)
    const { network } = this.options
    this.disposers.push(
      network.onStatus(() => this.events.emit('node.status', network.status())),
      this.accounts.onChange((account) => this.events.emit('accounts.current', account))
    )
    await network.start()
    this.options.log.info('core started', { runtime: this.options.runtime })
  }

  async stop(): Promise<void> {
    for (const dispose of this.disposers.splice(0)) dispose()
    this.accounts.lock()
    await this.options.network.stop()
    this.lock?.release()
    this.lock = null
  }

  private handlers(): HandlerTable {
    const { options, accounts } = this
    return {
      'app.info': () => ({
        name: 'Hush',
        version: options.version,
        runtime: options.runtime,
        profile: options.profileDir,
        platform: platform()
      }),
      'app.openExternal': async ({ url }) => {
        const safe = safeExternalUrl(url)
        if (!safe || !options.openExternal) return { opened: false }
        await options.openExternal(safe)
        return { opened: true }
      },
      'node.status': () => options.network.status(),
      'accounts.list': () => accounts.list(),
      'accounts.candidates': ({ count }) => accounts.candidatesFor(count ?? 5),
      'accounts.create': ({ candidateId, password, name }) => accounts.create(candidateId, password, name),
      'accounts.checkMnemonic': ({ mnemonic }) => accounts.check(mnemonic),
      'accounts.restore': ({ mnemonic, password, name }) => accounts.restore(mnemonic, password, name),
      'accounts.unlock': ({ id, password }) => accounts.unlock(id, password),
      'accounts.lock': () => {
        accounts.lock()
        return {}
      },
      'accounts.current': () => accounts.currentAccount(),
      'accounts.revealMnemonic': async ({ id, password }) => ({ mnemonic: await accounts.revealMnemonic(id, password) }),
      'accounts.changePassword': async ({ id, oldPassword, newPassword }) => {
        await accounts.changePassword(id, oldPassword, newPassword)
        return {}
      },
      'accounts.remove': async ({ id, password }) => {
        await accounts.remove(id, password)
        return {}
      },
      'settings.network.get': locked,
      'settings.network.set': locked,
      'chats.list': locked,
      'chats.joinPublic': locked,
      'chats.startOneToOne': locked,
      'chats.leave': locked,
      'contacts.preview': locked,
      'messages.send': locked,
      'messages.resend': locked,
      'messages.ack': locked,
      'messages.pending': locked,
      'history.request': locked,
      'debug.drops': locked
    }
  }
}
