/** How long the newest messages must stay in view, in the focused window, before they count as read. */
export const SEEN_AFTER_MS = 1500

/**
 * Tells when the person has seen the end of the conversation: `update(true)` while it is in view in the
 * focused window starts a wait of SEEN_AFTER_MS, `update(false)` (scrolled away, window left) cancels it;
 * `onSeen` runs once the wait ends uninterrupted. A glance while scrolling past is not reading.
 */
export class SeenWatcher {
  private timer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly onSeen: () => void,
    private readonly delayMs = SEEN_AFTER_MS
  ) {}

  update(seeing: boolean): void {
    if (!seeing) return this.cancel()
    this.timer ??= setTimeout(() => {
      this.timer = null
      this.onSeen()
    }, this.delayMs)
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }
}
