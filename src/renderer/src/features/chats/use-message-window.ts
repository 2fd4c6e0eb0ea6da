import { liveQuery } from 'dexie'
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { AccountDatabase } from '../../db/account-db'
import { latestRange, type MessageRange, newerRange, olderRange, readRange, type WindowContents } from '../../db/message-pages'
import { clipStoredTexts } from '../../db/message-updates'
import { clipText, MAX_SHOWN_LENGTH } from './message-text'

/** Messages added per step at either edge. */
const PAGE = 60
/** The most messages ever on screen; older or newer ones are dropped as the person pages on. */
export const MAX_WINDOW = 240

export interface MessageWindow {
  contents: WindowContents | null
  loadOlder(): void
  loadNewer(): void
  jumpToLatest(): void
}

/**
 * A bounded, live window onto one chat's history in Dexie. It opens on the newest page, follows new
 * messages while it shows the end, and pages in either direction without ever holding more than
 * MAX_WINDOW (plus one page while following a burst). Mount it per chat (key by chat id).
 */
export function useMessageWindow(db: AccountDatabase, chatId: string): MessageWindow {
  const [range, setRange] = useState<MessageRange | null>(null)
  const [contents, setContents] = useState<WindowContents | null>(null)
  const paging = useRef(false)
  const shown = useRef<WindowContents | null>(null)
  useLayoutEffect(() => {
    shown.current = contents
  }, [contents])

  useEffect(() => {
    let live = true
    void latestRange(db, chatId, PAGE).then((latest) => live && setRange(latest))
    return () => {
      live = false
    }
  }, [db, chatId])

  useEffect(() => {
    if (!range) return
    const subscription = liveQuery(() => readRange(db, chatId, range, MAX_WINDOW + PAGE)).subscribe({
      next: (next) => {
        setContents(next)
        clipStoredTexts(db, next.messages, MAX_SHOWN_LENGTH, clipText).catch((error: unknown) => console.error('Clipping stored text failed', error))
      },
      error: (error: unknown) => console.error('Reading the conversation failed', error)
    })
    return () => subscription.unsubscribe()
  }, [db, chatId, range])

  // Stable callbacks that read the latest window, so the list's layout effects do not rerun on every render.
  const page = useCallback((wanted: (window: WindowContents) => boolean, step: (range: MessageRange) => Promise<MessageRange>) => {
    const current = shown.current
    if (paging.current || !current || !wanted(current)) return
    paging.current = true
    void step(current.range)
      .then(setRange)
      .finally(() => {
        paging.current = false
      })
  }, [])
  const loadOlder = useCallback(() => page((w) => w.hasOlder, (r) => olderRange(db, chatId, r, PAGE, MAX_WINDOW)), [db, chatId, page])
  const loadNewer = useCallback(() => page((w) => w.hasNewer, (r) => newerRange(db, chatId, r, PAGE, MAX_WINDOW)), [db, chatId, page])
  const jumpToLatest = useCallback(() => page(() => true, () => latestRange(db, chatId, PAGE)), [db, chatId, page])

  return { contents, loadOlder, loadNewer, jumpToLatest }
}
