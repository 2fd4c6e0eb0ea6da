import { afterEach, describe, expect, it } from 'vitest'
import { partsContext } from '../testing/messenger-parts'
import type { ReceivedMessage } from '../whisper/filters'
import type { BundleAdvertiser } from './bundle-advertiser'
import type { ContactsService } from './contacts-service'
import type { MessengerContext } from './context'
import type { DirectSender } from './direct-sender'
import type { GroupService } from './group-service'
import { Receiver } from './receiver'

let close: () => Promise<void> = async () => undefined
afterEach(async () => {
  await close()
})

/** A public message that status-go drops at once (no Whisper signature): the cheapest full receive. */
function unsigned(n: number): ReceivedMessage {
  return { payload: Uint8Array.of(n), signer: null, topic: new Uint8Array(4), sent: 0, ttl: 10, pow: 1, envelopeHash: String(n), padding: new Uint8Array(0) }
}

describe('Receiver turns on the serial queue', () => {
  it('lets a call queued behind a mailserver’s history run after one turn, not after the whole history', async () => {
    const parts = await partsContext()
    close = parts.close
    const receiver = new Receiver(parts.ctx as unknown as MessengerContext, {
      feed: parts.feed,
      direct: {} as DirectSender,
      contacts: {} as ContactsService,
      advertiser: {} as BundleAdvertiser,
      groups: {} as GroupService,
      onChatStarted: () => undefined
    })
    const processed = (): number => receiver.dropCounts().UNSIGNED_ENVELOPE ?? 0
    for (let i = 0; i < 1_000; i++) receiver.onInbound({ kind: 'public', message: unsigned(i) })
    expect(receiver.backlog()).toBe(1_000)
    const processedBeforeCall = await parts.ctx.serial(async () => processed())
    expect(processedBeforeCall).toBeGreaterThan(0)
    expect(processedBeforeCall).toBeLessThanOrEqual(64)
    await receiver.idle()
    expect(processed()).toBe(1_000)
    expect(receiver.backlog()).toBe(0)
    receiver.onInbound({ kind: 'public', message: unsigned(1_000) })
    await receiver.idle()
    expect(processed()).toBe(1_001)
  })
})
