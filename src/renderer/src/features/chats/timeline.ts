import { type HistoryState, Message } from '../../../../shared/api'

/** Consecutive messages from one author within this time share one header (identicon, name). */
const RUN_GAP_MS = 5 * 60_000

export type TimelineItem =
  | { kind: 'message'; message: Message; showsAuthor: boolean }
  | { kind: 'divider' }
  | { kind: 'gap'; from: number; to: number }
  /** A stored record that is not a message (written by an older version, or corrupted): one small row. */
  | { kind: 'unshowable'; key: string }

export interface TimelineInput {
  messages: Message[]
  /** Incoming messages after this clock are new to the person. */
  lastReadClock: number
  gap: HistoryState['gap']
  hasOlder: boolean
  hasNewer: boolean
}

/**
 * Lays out the visible window: a "new messages" divider before the first unread incoming message, a
 * marker where the mailserver could not fill history (placed by time, and only when the window reaches
 * that point), and author headers at the start of each run.
 */
export function timeline({ messages: records, lastReadClock, gap, hasOlder, hasNewer }: TimelineInput): TimelineItem[] {
  // Records come from this device's database; one written by an older version or corrupted is not trusted.
  const showable = records.map((record) => Message.safeParse(record).success)
  const messages = records.filter((_, index) => showable[index])
  const dividerAt = messages.findIndex((message) => !message.outgoing && message.clock > lastReadClock)
  let gapAt = -1
  if (gap) {
    const after = messages.findIndex((message) => message.timestamp >= gap.to * 1000)
    const index = after < 0 ? messages.length : after
    if ((index > 0 || !hasOlder) && (index < messages.length || !hasNewer)) gapAt = index
  }
  const items: TimelineItem[] = []
  let previous: Message | undefined
  let index = 0
  for (const [position, record] of records.entries()) {
    if (!showable[position]) {
      items.push({ kind: 'unshowable', key: recordKey(record, position) })
      continue
    }
    const message = record
    let breaksRun = false
    if (index === gapAt && gap) {
      items.push({ kind: 'gap', from: gap.from, to: gap.to })
      breaksRun = true
    }
    if (index === dividerAt) {
      items.push({ kind: 'divider' })
      breaksRun = true
    }
    const showsAuthor =
      breaksRun ||
      !previous ||
      previous.system !== undefined ||
      previous.author.publicKey !== message.author.publicKey ||
      message.timestamp - previous.timestamp > RUN_GAP_MS
    items.push({ kind: 'message', message, showsAuthor })
    previous = message
    index += 1
  }
  if (gap && gapAt === messages.length) items.push({ kind: 'gap', from: gap.from, to: gap.to })
  return items
}

function recordKey(record: unknown, position: number): string {
  const id = typeof record === 'object' && record !== null && 'id' in record ? record.id : undefined
  return typeof id === 'string' ? id : `record-${position}`
}
