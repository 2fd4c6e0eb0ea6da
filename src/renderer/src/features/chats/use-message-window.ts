import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { HistoryWindow, MessageRange } from '../../../../shared/api'
import { hush } from '../../api/hush'
import { useChatStore } from '../../store/chat-store'

/** Messages added per step at either edge. */
const PAGE = 60
/** The most messages ever on screen; older or newer ones are dropped as the person pages on. */
export const MAX_WINDOW = 240

export interface MessageWindow {
  contents: HistoryWindow | null
  loadOlder(): void
  loadNewer(): void
  jumpToLatest(): void
  /**
   * Brings message `id` into the window: at once when it is loaded, else by reading a window centred on it
   * from main. False when the chat does not hold it.
   */
  jumpTo(id: string): Promise<boolean>
}

/**
 * A bounded, live window onto one chat's history in main. It opens on the newest page, follows new
 * messages while it shows the end, and pages in either direction without ever holding more than
 * MAX_WINDOW (plus one page while following a burst). It reads again whenever main reports a change in
 * the chat; reads never overlap, and a change during one brings one more. Mount it per chat (key by chat id).
 */
export function useMessageWindow(chatId: string): MessageWindow {
  const [range, setRange] = useState<MessageRange | null>(null)
  const [contents, setContents] = useState<HistoryWindow | null>(null)
  const paging = useRef(false)
  const shown = useRef<HistoryWindow | null>(null)
  useLayoutEffect(() => {
    shown.current = contents
  }, [contents])

  // One read at a time; a change while one is out brings exactly one more, for the range wanted by then.
  const wanted = useRef<MessageRange | null>(null)
  const reading = useRef({ busy: false, again: false, missed: false, mounted: true })

  const read = useCallback(async () => {
    const state = reading.current
    if (state.busy) return void (state.again = true)
    state.busy = true
    try {
      do {
        state.again = false
        const asked = wanted.current
        // Before the first page is in, a change is read by the next read after it.
        if (!asked) return void (state.missed = true)
        const result = await hush().call('history.read', { chatId, range: asked, limit: MAX_WINDOW + PAGE })
        if (!state.mounted) return
        if (wanted.current !== asked) state.again = true
        else if (result.ok) setContents(result.value)
        else console.error('Reading the conversation failed', result.error)
      } while (state.again)
    } finally {
      state.busy = false
    }
  }, [chatId])
  // Opening reads the newest page in one call; its range (shrunk to what it holds) is the window's first.
  useEffect(() => {
    let live = true
    void hush()
      .call('history.read', { chatId, range: { lower: null, upper: null }, limit: PAGE })
      .then((first) => {
        if (!live || !first.ok) return
        wanted.current = first.value.range
        setContents(first.value)
        setRange(first.value.range)
        if (reading.current.missed) void read()
      })
    return () => {
      live = false
    }
  }, [chatId, read])

  useEffect(() => {
    const state = reading.current
    state.mounted = true
    return () => {
      state.mounted = false
    }
  }, [])
  useEffect(() => {
    if (wanted.current === range) return
    wanted.current = range
    void read()
  }, [range, read])
  useEffect(
    () =>
      useChatStore.subscribe((state, before) => {
        if (state.versions[chatId] !== before.versions[chatId]) void read()
      }),
    [chatId, read]
  )

  // Stable callbacks that read the latest window, so the list's layout effects do not rerun on every render.
  const page = useCallback(
    (worth: (window: HistoryWindow) => boolean, direction: 'older' | 'newer' | 'latest') => {
      const current = shown.current
      if (paging.current || !current || !worth(current)) return
      paging.current = true
      void hush()
        .call('history.extend', { chatId, direction, range: current.range, page: PAGE, max: MAX_WINDOW })
        .then((next) => next.ok && setRange(next.value))
        .finally(() => {
          paging.current = false
        })
    },
    [chatId]
  )
  const loadOlder = useCallback(() => page((w) => w.hasOlder, 'older'), [page])
  const loadNewer = useCallback(() => page((w) => w.hasNewer, 'newer'), [page])
  const jumpToLatest = useCallback(() => page(() => true, 'latest'), [page])

  const jumpTo = useCallback(
    async (id: string) => {
      if (shown.current?.messages.some((message) => message.id === id)) return true
      const around = await hush().call('history.around', { chatId, messageId: id, page: PAGE * 2 })
      if (!around.ok) return false
      setRange(around.value)
      return true
    },
    [chatId]
  )

  return { contents, loadOlder, loadNewer, jumpToLatest, jumpTo }
}
