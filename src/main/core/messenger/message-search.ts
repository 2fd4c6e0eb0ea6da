import type { Message, SearchGroup, SearchHit, SearchResult } from '../../../shared/api'
import { toApiChat } from './chat-list'
import type { MessengerContext } from './context'
import type { SearchBackfill } from './search-backfill'
import type { SearchIndex } from './search-index'
import { eachWordSpan, queryTerms, type WordSpan } from './search-terms'

export const DEFAULT_SEARCH_RESULTS = 50
/** Postings read per query word, at most: a word in most of a huge history is cut, and the result says so. */
export const SEARCH_SCAN_LIMIT = 20_000
/** Characters of context shown before the first match, and of the whole snippet. */
const CONTEXT_BEFORE = 60
const SNIPPET_LENGTH = 200

/**
 * Full-text search over the chats the account joined, served from the index main keeps beside the history:
 * every word of the query must be in a message; hits come with a snippet around the first match, grouped
 * by chat. Messages of blocked keys and of chats not joined (message requests) are left out.
 */
export class MessageSearch {
  constructor(
    private readonly ctx: Pick<MessengerContext, 'chats' | 'messages'>,
    private readonly index: SearchIndex,
    private readonly backfill: SearchBackfill,
    private readonly hidden: (message: Message) => boolean
  ) {}

  async search(query: string, limit = DEFAULT_SEARCH_RESULTS): Promise<SearchResult> {
    const terms = queryTerms(query)
    // Shown messages only count towards `limit`: a stranger's request or a blocked key's old messages
    // full of a common word would otherwise take every place and leave the person's chats out.
    const shown = new Map<string, Message>()
    const found = await this.index.find(terms, limit, SEARCH_SCAN_LIMIT, async (id) => {
      const message = await this.ctx.messages.get(id)
      if (!message || this.hidden(message) || !this.ctx.chats.get(message.chatId)) return false
      shown.set(id, message)
      return true
    })
    const groups = new Map<string, SearchGroup>()
    for (const id of found.ids) {
      const message = shown.get(id)!
      const chat = this.ctx.chats.get(message.chatId)
      if (!chat) continue
      let group = groups.get(chat.id)
      if (!group) {
        group = { chatId: chat.id, chatKind: chat.kind, chatName: toApiChat(chat).name, hits: [] }
        groups.set(chat.id, group)
      }
      group.hits.push(hitOf(message, new Set(terms)))
    }
    return { groups: [...groups.values()], truncated: found.truncated, complete: this.backfill.done }
  }
}

/**
 * The message with the text around its first matching word, and where the matching words are in it. The
 * words are read only up to the snippet's end: a long message (a hostile one is 16,384 characters of short
 * words) costs what its text up to the first match costs, not its whole length, for every hit.
 */
export function hitOf(message: Message, terms: ReadonlySet<string>): SearchHit {
  const text = message.text
  const matches: WordSpan[] = []
  let start = 0
  let end = Math.min(text.length, SNIPPET_LENGTH)
  let found = false
  for (const span of eachWordSpan(text)) {
    if (found && span.end > end) break
    if (!span.terms.some((term) => terms.has(term))) continue
    if (!found) {
      found = true
      start = span.start <= CONTEXT_BEFORE ? 0 : wordStart(text, span.start - CONTEXT_BEFORE)
      end = Math.min(text.length, start + SNIPPET_LENGTH)
    }
    if (span.start >= start && span.end <= end) matches.push(span)
  }
  const lead = start > 0 ? '…' : ''
  const snippet = `${lead}${text.slice(start, end)}${end < text.length ? '…' : ''}`
  const highlights = matches.map((span): [number, number] => [span.start - start + lead.length, span.end - start + lead.length])
  return { message, snippet, highlights }
}

/** The first word boundary at or after `at`, so a snippet does not open mid-word (unless no space is near). */
function wordStart(text: string, at: number): number {
  const space = text.slice(at, at + 20).search(/\s/u)
  return space < 0 ? at : at + space + 1
}
