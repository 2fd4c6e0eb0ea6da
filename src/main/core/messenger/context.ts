import type { EventName, EventPayload } from '../../../shared/api'
import type { SessionManager } from '../crypto/session-manager'
import type { Logger } from '../log/logger'
import type { Timers } from '../runtime/timers'
import type { EncryptedStore } from '../storage/encrypted-store'
import type { ChatList } from './chat-list'
import type { HistoryStore } from './history-store'
import type { Outbox } from './outbox'
import type { SeenIds } from './seen-ids'
import type { ChatIdentity, ChatTransport } from './transport'

type MessengerEvent = 'messages.upserted' | 'chats.changed' | 'history.state' | 'contacts.changed' | 'requests.changed' | 'contacts.blockedChanged'
export type MessengerEmit = <E extends MessengerEvent & EventName>(event: E, payload: EventPayload<E>) => void

/** What the messenger's parts share: the account's state, its transport, and the one serial queue. */
export interface MessengerContext {
  readonly store: EncryptedStore
  readonly sessions: SessionManager
  readonly identity: ChatIdentity
  /** Our chat key as "0x04…". */
  readonly ownKeyId: string
  readonly transport: ChatTransport
  readonly chats: ChatList
  readonly messages: HistoryStore
  readonly outbox: Outbox
  readonly seen: SeenIds
  readonly emit: MessengerEmit
  readonly log: Logger
  readonly now: () => number
  readonly timers: Timers
  /** Runs `task` after every task queued before it; a failure is the caller's, the queue goes on. */
  serial<T>(task: () => Promise<T>): Promise<T>
  stopped(): boolean
}
