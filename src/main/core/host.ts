import { rm } from 'node:fs/promises'
import { platform } from 'node:os'
import { join } from 'node:path'
import { type AppInfo, HushError, NetworkSettings, type NodeStatus, refusal } from '../../shared/api'
import { AccountService } from './accounts/account-service'
import { AccountStore } from './accounts/account-store'
import type { KdfParams, KdfQueue } from './accounts/key-stretching'
import type { Dispatch } from './api/dispatch'
import { createDispatch } from './api/dispatch'
import { EventHub } from './api/event-hub'
import type { HandlerTable } from './api/handlers'
import type { Logger } from './log/logger'
import { type AccountMessenger, openAccountMessenger } from './messenger/account-messenger'
import { ContactView } from './messenger/contact-view'
import { receivedDisplayName } from './messenger/display-name'
import { parseChatKey } from './messenger/identities'
import type { Messenger } from './messenger/messenger'
import { chatKeyId } from './protocol/chat-matching'
import { safeExternalUrl } from './security/external-url'
import { createProfileDir } from './profile'
import { ProfileLock } from './storage/profile-lock'
import type { WhisperNode } from './whisper/node'


/** What the host needs from the network layer: a status snapshot and a change feed. */
export interface NetworkService {
  start(): Promise<void>
  stop(): Promise<void>
  status(): NodeStatus
  onStatus(listener: () => void): () => void
  /** The node chats run on; absent in tests of the API plumbing, where chat methods answer UNAVAILABLE. */
  whisper?: WhisperNode
  /**
   * Connects the unlocked account's own static peers, bootnodes and mailservers (settings.network), and lets
   * go of those of the previous settings that are not in these; null when no account is unlocked.
   */
  usePeers?(settings: NetworkSettings | null): void
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
  /** Where password keys are derived (tests inject a fake KDF); one queue per host by default. */
  kdfQueue?: KdfQueue
  /** Network settings of an account that has saved none (the host's --static, --bootnodes, --mailservers). */
  defaultNetwork?: NetworkSettings
}

const NO_PEERS: NetworkSettings = { bootnodes: [], staticPeers: [], mailservers: [] }

/**
 * The Hush core as one object: owns the profile lock, the services and the handler table, and serves every
 * transport through the same dispatch and event hub. It imports nothing from Electron.
 */
export class HushCore {
  readonly events: EventHub
  readonly dispatch: Dispatch
  readonly accounts: AccountService
  private lock: ProfileLock | null = null
  private readonly disposers: Array<() => void> = []
  private readonly defaultNetwork: NetworkSettings
  /** The unlocked account's messenger; each unlock or lock chains onto the previous switch. */
  private messenger: Promise<AccountMessenger | null> = Promise.resolve(null)

  constructor(private readonly options: CoreOptions) {
    this.events = new EventHub(options.log.child('events'))
    this.defaultNetwork = NetworkSettings.parse(options.defaultNetwork ?? NO_PEERS)
    this.accounts = new AccountService(new AccountStore(options.profileDir, { kdf: options.kdf, queue: options.kdfQueue }))
    const dispatch = createDispatch(this.handlers(), options.log.child('api'))
    this.dispatch = async (method, args, context) => {
      const result = await dispatch(method, args, context)
      // What a call changed reaches every transport before its answer does.
      this.events.flush()
      return result
    }
  }

  async start(): Promise<void> {
    createProfileDir(this.options.profileDir)
    this.lock = ProfileLock.acquire(this.options.profileDir)
    const { network } = this.options
    this.disposers.push(
      network.onStatus(() => this.events.emit('node.status', network.status())),
      this.accounts.onChange((account, change) => {
        this.events.emit('accounts.current', account)
        if (change === 'switched') this.switchMessenger()
      })
    )
    await network.start()
    this.options.log.info('core started', { runtime: this.options.runtime })
  }

  async stop(): Promise<void> {
    for (const dispose of this.disposers.splice(0)) dispose()
    this.accounts.lock()
    this.switchMessenger()
    await this.messenger
    await this.options.network.stop()
    this.lock?.release()
    this.lock = null
  }

  /**
   * Deletes what a removed account left in the profile (its encrypted chats and protocol state), once its
   * messenger, if it was open, has closed. The keystore is already gone, so a failure here loses nothing.
   */
  private async removeAccountData(id: string): Promise<void> {
    await this.messenger
    await rm(this.accountDataDir(id), { recursive: true, force: true })
  }

  private accountDataDir(id: string): string {
    return join(this.options.profileDir, 'data', id)
  }

  /** Closes the previous account's messenger and opens the newly unlocked one's, in order. */
  private switchMessenger(): void {
    const unlocked = this.accounts.unlocked()
    const { network, log } = this.options
    this.messenger = this.messenger.then(async (previous) => {
      if (previous) {
        await previous.close().catch((error: unknown) => log.error('messenger did not close cleanly', { error }))
        // Whatever the closed account connected and trusted goes with it, before anyone else unlocks.
        network.usePeers?.(null)
      }
      if (!unlocked || !network.whisper) return null
      try {
        return await openAccountMessenger({
          dataDir: this.accountDataDir(unlocked.summary.id),
          keys: unlocked.keys,
          displayName: chosenNameOf(unlocked.summary),
          node: network.whisper,
          defaultNetwork: this.defaultNetwork,
          applyNetwork: (settings) => network.usePeers?.(settings),
          emit: (event, payload) => this.events.emit(event, payload),
          log: log.child('messenger')
        })
      } catch (error) {
        log.error('messenger failed to start', { error })
        network.usePeers?.(null)
        return null
      }
    })
  }

  /** The unlocked account's messenger; LOCKED without an account, UNAVAILABLE if it could not start. */
  private async chat(): Promise<Messenger> {
    const current = await this.messenger
    if (current) return current.messenger
    if (!this.accounts.unlocked()) throw new HushError('LOCKED', 'Unlock an account first')
    throw refusal('UNAVAILABLE', { reason: 'CHATS_UNAVAILABLE' }, 'Chats are not available: the network or the account state could not start')
  }

  private handlers(): HandlerTable {
    const { options, accounts } = this
    const chat = () => this.chat()
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
      'accounts.create': ({ candidateId, password, name }, { signal }) => accounts.create(candidateId, password, name, signal),
      'accounts.checkMnemonic': ({ mnemonic }) => accounts.check(mnemonic),
      'accounts.restore': ({ mnemonic, password, name }, { signal }) => accounts.restore(mnemonic, password, name, signal),
      'accounts.unlock': ({ id, password }, { signal }) => accounts.unlock(id, password, signal),
      'accounts.lock': () => {
        accounts.lock()
        return {}
      },
      'accounts.current': () => accounts.currentAccount(),
      'accounts.revealMnemonic': async ({ id, password }, { signal }) => ({ mnemonic: await accounts.revealMnemonic(id, password, signal) }),
      'accounts.changePassword': async ({ id, oldPassword, newPassword }, { signal }) => {
        await accounts.changePassword(id, oldPassword, newPassword, signal)
        return {}
      },
      'accounts.confirmBackup': ({ id }) => accounts.confirmBackup(id),
      'accounts.rename': async ({ name }) => {
        const account = await accounts.rename(name)
        const current = await this.messenger
        if (current) await current.messenger.setDisplayName(chosenNameOf(account))
        return account
      },
      'accounts.remove': async ({ id, password }, { signal }) => {
        await accounts.remove(id, password, signal)
        await this.removeAccountData(id)
        return {}
      },
      'settings.network.get': async () => (await chat()).networkSettings(),
      'settings.network.set': async (settings) => (await chat()).setNetworkSettings(settings),
      'chats.list': async () => (await chat()).listChats(),
      'chats.joinPublic': async ({ name }) => (await chat()).joinPublic(name),
      'chats.startOneToOne': async ({ publicKey }) => (await chat()).startOneToOne(publicKey),
      'chats.leave': async ({ chatId }) => {
        await (await chat()).leave(chatId)
        return {}
      },
      'contacts.preview': async ({ publicKey }) => {
        const current = await this.messenger
        return current ? current.messenger.contacts.contact(publicKey) : new ContactView([]).contact(chatKeyId(parseChatKey(publicKey)), undefined)
      },
      'contacts.list': async () => (await chat()).contacts.list(),
      'contacts.get': async ({ publicKey }) => (await chat()).contacts.contact(publicKey),
      'contacts.safetyNumber': async ({ publicKey }) => (await chat()).contacts.safetyNumber(publicKey),
      'contacts.setVerified': async ({ publicKey, verified }) => (await chat()).contacts.setVerified(publicKey, verified),
      'contacts.verifyScan': async ({ publicKey, text }) => (await chat()).contacts.verifyScan(publicKey, text),
      'contacts.acknowledgeDevices': async ({ publicKey }) => (await chat()).contacts.acknowledgeDevices(publicKey),
      'messages.send': async (args) => (await chat()).send(args),
      'messages.resend': async ({ id }) => (await chat()).resend(id),
      'chats.markRead': async ({ chatId }) => ({ previousReadClock: await (await chat()).conversations.markRead(chatId) }),
      'chats.setDraft': async ({ chatId, text }) => {
        await (await chat()).conversations.setDraft(chatId, text)
        return {}
      },
      'history.import': async ({ messages }) => ({ imported: await (await chat()).conversations.import(messages) }),
      'history.read': async ({ chatId, range, limit }) => (await chat()).conversations.read(chatId, range, limit),
      'history.extend': async (args) => (await chat()).conversations.extend(args),
      'history.around': async ({ chatId, messageId, page }) => (await chat()).conversations.around(chatId, messageId, page),
      'history.get': async ({ chatId, ids }) => (await chat()).conversations.get(chatId, ids),
      'history.request': async ({ sinceSeconds }) => ({ requested: await (await chat()).requestHistory(sinceSeconds) }),
      'debug.drops': async () => (await chat()).dropCounts(),
      'requests.list': async () => (await chat()).requests.list(),
      'requests.accept': async ({ publicKey }) => ({ chatId: await (await chat()).requests.accept(publicKey) }),
      'requests.decline': async ({ publicKey }) => {
        await (await chat()).requests.decline(publicKey)
        return {}
      },
      'contacts.add': async ({ publicKey }) => {
        const messenger = await chat()
        await messenger.addContact(publicKey)
        return messenger.contacts.contact(publicKey)
      },
      'contacts.block': async ({ publicKey }) => {
        await (await chat()).blocking.block(publicKey)
        return {}
      },
      'contacts.unblock': async ({ publicKey }) => {
        await (await chat()).blocking.unblock(publicKey)
        return {}
      },
      'contacts.blocked': async () => (await chat()).blocking.blocked(),
      'chats.setMuted': async ({ chatId, muted }) => {
        await (await chat()).setMuted(chatId, muted)
        return {}
      },
      'search.messages': async ({ query, limit }) => (await chat()).searchMessages(query, limit),
      'groups.create': async ({ name, members }) => (await chat()).groups.create(name, members),
      'groups.info': async ({ chatId }) => (await chat()).groups.info(chatId),
      'groups.accept': async ({ chatId }) => (await chat()).groups.accept(chatId),
      'groups.decline': async ({ chatId }) => {
        await (await chat()).groups.decline(chatId)
        return {}
      },
      'groups.addMembers': async ({ chatId, members }) => (await chat()).groups.addMembers(chatId, members),
      'groups.removeMember': async ({ chatId, member }) => (await chat()).groups.removeMember(chatId, member),
      'groups.rename': async ({ chatId, name }) => (await chat()).groups.rename(chatId, name),
      'groups.makeAdmin': async ({ chatId, member }) => (await chat()).groups.makeAdmin(chatId, member),
      'groups.leave': async ({ chatId }) => (await chat()).groups.leave(chatId)
    }
  }
}

/**
 * The name an account sends as its chosen one: none when it goes by its alias (an account created without
 * a name is named by it), and only what a receiver would keep (no control or bidi characters).
 */
function chosenNameOf(account: { name: string; alias: string }): string {
  const check = receivedDisplayName(account.name === account.alias ? '' : account.name)
  return check.ok ? check.name : ''
}
