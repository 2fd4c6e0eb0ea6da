import { useCallback, useEffect, useRef } from 'react'
import type { HistoryWindow } from '../../../../shared/api'
import { useSocialStore } from '../../store/social-store'

/**
 * A search hit opened in this chat: brings its message into the window (reading a window around it from
 * main when it is outside), then scrolls it to the middle of the timeline and marks it for a moment.
 */
export function useSearchJump(chatId: string, contents: HistoryWindow | null, jumpTo: (id: string) => Promise<boolean>): void {
  const takeJump = useSocialStore((s) => s.takeJump)
  const pending = useSocialStore((s) => (s.jump?.chatId === chatId ? s.jump.messageId : null))
  const target = useRef<string | null>(null)

  /** Scrolls to the target once its row is on the page (after the window that holds it rendered). */
  const reveal = useCallback(() => {
    const id = target.current
    if (id === null) return
    const row = document.querySelector<HTMLElement>(`[data-testid="timeline"] [data-message-id="${CSS.escape(id)}"]`)
    if (!row) return
    target.current = null
    row.scrollIntoView({ block: 'center' })
    row.classList.add('message-focus')
  }, [])

  useEffect(() => {
    if (pending === null || contents === null) return
    const id = takeJump(chatId)
    if (!id) return
    void jumpTo(id).then((found) => {
      if (!found) return
      target.current = id
      reveal()
    })
  }, [pending, contents, chatId, takeJump, jumpTo, reveal])

  useEffect(reveal, [contents, reveal])
}
