import { useEffect, useMemo, useState } from 'react'
import type { HistoryWindow, Message } from '../../../../shared/api'
import { hush } from '../../api/hush'
import type { Original } from './ReplyQuote'

/**
 * The originals of the replies in a window, by id: those in the window itself, the others read from main
 * (history.get, in the window's chat only) each time the window changes, so an original that arrives
 * later, by a history fetch say, replaces its placeholder. Ids main does not hold are `missing`.
 */
export function useOriginals(chatId: string, contents: HistoryWindow | null): ReadonlyMap<string, Original> {
  const [fetched, setFetched] = useState<ReadonlyMap<string, Original>>(new Map())
  const inWindow = useMemo(() => new Map((contents?.messages ?? []).map((message) => [message.id, message] as const)), [contents])
  const outside = useMemo(() => {
    const ids = new Set<string>()
    for (const message of contents?.messages ?? []) if (message.responseTo && !inWindow.has(message.responseTo)) ids.add(message.responseTo)
    return [...ids]
  }, [contents, inWindow])

  useEffect(() => {
    if (outside.length === 0) return
    let live = true
    void hush()
      .call('history.get', { chatId, ids: outside })
      .then((result) => {
        if (!live || !result.ok) return
        const found = new Map<string, Message>(result.value.map((message) => [message.id, message]))
        setFetched(new Map(outside.map((id): [string, Original] => {
          const message = found.get(id)
          return [id, message ? { kind: 'found', message } : { kind: 'missing' }]
        })))
      })
    return () => {
      live = false
    }
  }, [chatId, outside])

  return useMemo(() => {
    const originals = new Map(fetched)
    for (const [id, message] of inWindow) originals.set(id, { kind: 'found', message })
    return originals
  }, [fetched, inWindow])
}
