import { type BlockedKey, type Message, refusal } from '../../../shared/api'
import { equalBytes } from '@noble/curves/utils.js'
import { chatKeyId } from '../protocol/chat-matching'
import type { BlockList } from './block-list'
import type { ContactsService } from './contacts-service'
import type { MessengerContext } from './context'
import { parseChatKey } from './identities'
import type { RequestsService } from './requests-service'
import { Transaction } from './transaction'

/**
 * Blocked keys: the receiver drops what they send (1:1 before decrypting), history reads and search hide
 * what they wrote before, and their message request goes. Blocking is reversible; what arrived while
 * blocked is gone (it was never stored), what was stored before shows again.
 */
export class BlockingService {
  constructor(
    private readonly ctx: Pick<MessengerContext, 'store' | 'identity' | 'emit' | 'now' | 'serial' | 'stopped'>,
    private readonly list: BlockList,
    private readonly requests: RequestsService,
    private readonly contacts: ContactsService
  ) {}

  isBlocked(id: string, tx?: Transaction): boolean {
    return this.list.has(id, tx)
  }

  /** Whether a stored message is hidden: written by a blocked key. */
  readonly hidden = (message: Message): boolean => !message.outgoing && this.list.has(message.author.publicKey)

  blocked(): BlockedKey[] {
    return this.list.all().map((record) => {
      const { publicKey, alias, identicon, displayName } = this.contacts.contact(record.publicKey)
      return { publicKey, alias, identicon, ...(displayName ? { displayName } : {}), blockedAt: record.blockedAt }
    })
  }

  block(publicKey: string): Promise<void> {
    const key = parseChatKey(publicKey)
    if (equalBytes(key, this.ctx.identity.publicKey)) return Promise.reject(refusal('BAD_REQUEST', { reason: 'OWN_CHAT_KEY' }, 'That is your own chat key.'))
    const id = chatKeyId(key)
    return this.ctx.serial(async () => {
      const tx = new Transaction()
      this.list.block(tx, id, this.ctx.now())
      await this.requests.drop(tx, id)
      tx.afterCommit(() => this.announce())
      await tx.commit(this.ctx.store)
    })
  }

  unblock(publicKey: string): Promise<void> {
    const id = chatKeyId(parseChatKey(publicKey))
    return this.ctx.serial(async () => {
      const tx = new Transaction()
      this.list.unblock(tx, id)
      tx.afterCommit(() => this.announce())
      await tx.commit(this.ctx.store)
    })
  }

  private announce(): void {
    if (!this.ctx.stopped()) this.ctx.emit('contacts.blockedChanged', { blocked: this.blocked() })
  }
}
