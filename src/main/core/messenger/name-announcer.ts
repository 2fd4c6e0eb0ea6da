import { create, toBinary } from '@bufbuild/protobuf'
import { ContactUpdateSchema } from '../protocol/gen/protobuf/contact_pb'
import { MessageKind, wrapMessage } from '../protocol/wrapper'
import type { ContactsService } from './contacts-service'
import type { MessengerContext } from './context'
import type { DirectSender } from './direct-sender'
import { Transaction } from './transaction'

/**
 * Our chosen name to the people who should hear it (docs/contact-names.md): to a contact the person added,
 * in Hush's extension of ContactUpdate, and again to every added contact when the name changes. Public-chat
 * messages carry it themselves (messenger.ts send, `contacts.ownName`).
 */
export class NameAnnouncer {
  constructor(
    private readonly ctx: Pick<MessengerContext, 'store' | 'identity' | 'chats' | 'now' | 'serial'>,
    private readonly parts: { contacts: ContactsService; direct: DirectSender }
  ) {}

  /**
   * Marks them added and sends our name, reliably through MVDS like a chat message but without an outbox
   * entry: it is sent again whenever the person adds the contact again, so one lost to a crash can be
   * replaced. Runs inside the caller's turn of the serial queue.
   */
  async announceTo(chatId: string): Promise<void> {
    const tx = new Transaction()
    this.parts.contacts.markAdded(tx, chatId)
    const { clock } = this.ctx.chats.nextClock(tx, chatId, this.ctx.now())
    const update = create(ContactUpdateSchema, { clock, hushDisplayName: this.parts.contacts.ownName })
    const wrapper = wrapMessage(toBinary(ContactUpdateSchema, update), MessageKind.CONTACT_UPDATE, this.ctx.identity.privateKey)
    this.parts.direct.queue(tx, chatId, wrapper)
    await tx.commit(this.ctx.store)
    this.parts.direct.schedule(true)
  }

  /**
   * Our chosen name changed ('' for none): from now on it is the one we send, and every contact we added hears
   * it at once in a ContactUpdate with a newer clock. Someone we only talk to did not get one before and gets
   * none now: to a status-go client it would read as "added you".
   */
  rename(name: string): Promise<void> {
    return this.ctx.serial(async () => {
      this.parts.contacts.setOwnName(name)
      for (const chat of this.ctx.chats.all()) {
        if (chat.kind === 'one-to-one' && this.parts.contacts.isAdded(chat.id)) await this.announceTo(chat.id)
      }
    })
  }
}
