import * as z from 'zod'
import { ChatKind, Message } from './chats'
import { method } from './contract'

export const MAX_SEARCH_QUERY_LENGTH = 200
export const MAX_SEARCH_RESULTS = 100

/** Where the query's words are in a hit's text: [start, end) offsets into `snippet`. */
export const SearchHit = z.object({
  message: Message,
  /** The text around the first match (at most ~200 characters), with ellipses where it was cut. */
  snippet: z.string(),
  highlights: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]))
})
export type SearchHit = z.infer<typeof SearchHit>

export const SearchGroup = z.object({
  chatId: z.string(),
  chatKind: ChatKind,
  chatName: z.string(),
  hits: z.array(SearchHit)
})
export type SearchGroup = z.infer<typeof SearchGroup>

export const SearchResult = z.object({
  /** By chat, the chat with the newest hit first; hits newest first. */
  groups: z.array(SearchGroup),
  /** More messages matched than were read or returned: refine the query. */
  truncated: z.boolean(),
  /** False while history stored before the index existed is still being indexed. */
  complete: z.boolean()
})
export type SearchResult = z.infer<typeof SearchResult>

export const searchMethods = {
  /** Every word of the query (whole words, any script, parts of URLs too) in the chats this account joined. */
  'search.messages': method(
    z.object({ query: z.string().max(MAX_SEARCH_QUERY_LENGTH), limit: z.number().int().min(1).max(MAX_SEARCH_RESULTS).optional() }).strict(),
    SearchResult
  )
}
