import { useEffect, useState } from 'react'
import { MAX_SEARCH_QUERY_LENGTH, type SearchHit, type SearchResult } from '../../../../shared/api'
import { formatDate } from '../../i18n/format'
import { errorText, t } from '../../i18n/t'
import { chatTitle } from '../../store/chat-store'
import { useSocialStore } from '../../store/social-store'

/** Waits this long after the last key before asking main. */
const TYPING_PAUSE_MS = 200

/** Search over every chat, served by main; results grouped by chat, a click opens the message in place. */
export function SearchPage() {
  const search = useSocialStore((s) => s.search)
  const openMessage = useSocialStore((s) => s.openMessage)
  const [query, setQuery] = useState('')
  const [result, setResult] = useState<{ query: string; value: SearchResult } | null>(null)
  const [problem, setProblem] = useState<string | null>(null)

  useEffect(() => {
    const wanted = query.trim()
    if (wanted === '') return
    let live = true
    const timer = setTimeout(() => {
      void search(wanted).then((found) => {
        if (!live) return
        if (found.ok) {
          setResult({ query: wanted, value: found.value })
          setProblem(null)
        } else setProblem(errorText(found.error))
      })
    }, TYPING_PAUSE_MS)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [query, search])

  const shown = query.trim() === '' ? null : result
  const empty = shown !== null && shown.value.groups.length === 0
  return (
    <section className="stack search-page" aria-labelledby="search-title" data-testid="search-page">
      <h1 id="search-title">{t('search.title')}</h1>
      <input
        type="search"
        className="search-field"
        dir="auto"
        autoFocus
        autoComplete="off"
        maxLength={MAX_SEARCH_QUERY_LENGTH}
        placeholder={t('search.placeholder')}
        aria-label={t('search.placeholder')}
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        data-testid="search-input"
      />
      <p className="muted small">{t('search.hint')}</p>
      {problem && (
        <p className="field-hint" role="alert">
          {problem}
        </p>
      )}
      {shown && !shown.value.complete && <p className="muted small">{t('search.indexing')}</p>}
      {empty && (
        <p className="muted" data-testid="search-empty">
          {t('search.none', { query: shown.query })}
        </p>
      )}
      {shown?.value.groups.map((group) => (
        <section key={group.chatId} className="card search-group" data-testid="search-group" data-chat-id={group.chatId}>
          <h2 className="search-chat">{chatTitle({ kind: group.chatKind, name: group.chatName })}</h2>
          <ul className="search-hits">
            {group.hits.map((hit) => (
              <li key={hit.message.id}>
                <button type="button" className="search-hit" data-testid="search-hit" onClick={() => void openMessage(group.chatId, hit.message.id)}>
                  <span className="search-hit-head">
                    <strong className="ellipsis">{hit.message.outgoing ? t('search.you') : (hit.message.author.displayName ?? hit.message.author.alias)}</strong>
                    <span className="muted small">{formatDate(hit.message.timestamp, 'dateTime')}</span>
                  </span>
                  <Snippet hit={hit} />
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
      {shown?.value.truncated && <p className="muted small">{t('search.more')}</p>}
    </section>
  )
}

/** The text around the match, the matching words marked. */
function Snippet({ hit }: { hit: SearchHit }) {
  const parts: Array<{ text: string; marked: boolean }> = []
  let at = 0
  for (const [start, end] of hit.highlights) {
    if (start < at) continue
    if (start > at) parts.push({ text: hit.snippet.slice(at, start), marked: false })
    parts.push({ text: hit.snippet.slice(start, end), marked: true })
    at = end
  }
  if (at < hit.snippet.length) parts.push({ text: hit.snippet.slice(at), marked: false })
  return (
    <span className="search-snippet" dir="auto" data-testid="search-snippet">
      {parts.map((part, i) => (part.marked ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
    </span>
  )
}
