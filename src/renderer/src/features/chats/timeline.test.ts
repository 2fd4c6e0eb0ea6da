import { describe, expect, it } from 'vitest'
import { author, message } from '../../testing/fixtures'
import { timeline, type TimelineItem } from './timeline'

const shape = (items: TimelineItem[]) =>
  items.map((item) => (item.kind === 'message' ? `${item.message.clock}${item.showsAuthor ? '*' : ''}` : item.kind))

const base = { lastReadClock: Infinity, gap: null, hasOlder: false, hasNewer: false }

describe('timeline', () => {
  it('groups runs by author and time', () => {
    const messages = [
      message({ clock: 1 }),
      message({ clock: 2 }),
      message({ clock: 3, author: author(2) }),
      message({ clock: 4, author: author(2), timestamp: 1_700_000_000_000 + 3000 + 6 * 60_000 })
    ]
    expect(shape(timeline({ ...base, messages }))).toEqual(['1*', '2', '3*', '4*'])
  })

  it('starts a new run after a group membership line, even from the same author', () => {
    const system = { code: 'group.member-added' as const, actor: author(1).publicKey, members: [author(2).publicKey] }
    const messages = [message({ clock: 1 }), message({ clock: 2, text: '', system }), message({ clock: 3 })]
    expect(shape(timeline({ ...base, messages }))).toEqual(['1*', '2', '3*'])
  })

  it('puts the divider before the first unread incoming message, ignoring my own', () => {
    const messages = [message({ clock: 1 }), message({ clock: 2, outgoing: true, status: 'sent' }), message({ clock: 3 }), message({ clock: 4 })]
    expect(shape(timeline({ ...base, messages, lastReadClock: 1 }))).toEqual(['1*', '2', 'divider', '3*', '4'])
    expect(shape(timeline({ ...base, messages, lastReadClock: 4 }))).toEqual(['1*', '2', '3', '4'])
  })

  it('places a history gap by time, only where the window reaches it', () => {
    const messages = [message({ clock: 1 }), message({ clock: 2 }), message({ clock: 10 })]
    const gap = { from: 1_700_000_002, to: 1_700_000_009 }
    expect(shape(timeline({ ...base, messages, gap }))).toEqual(['1*', '2', 'gap', '10*'])
    const before = { from: 1_600_000_000, to: 1_600_000_100 }
    expect(shape(timeline({ ...base, messages, gap: before }))).toEqual(['gap', '1*', '2', '10'])
    expect(shape(timeline({ ...base, messages, gap: before, hasOlder: true }))).toEqual(['1*', '2', '10'])
    const after = { from: 1_800_000_000, to: 1_800_000_100 }
    expect(shape(timeline({ ...base, messages, gap: after }))).toEqual(['1*', '2', '10', 'gap'])
    expect(shape(timeline({ ...base, messages, gap: after, hasNewer: true }))).toEqual(['1*', '2', '10'])
  })
})
