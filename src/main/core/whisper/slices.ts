/**
 * Runs a long job without holding the event loop: `steps` is advanced for up to `sliceMs`, then the
 * rest waits for setImmediate, so sockets, timers and other peers are served between slices.
 * Returns nothing when the job ended within its first slice (the common, small case), else a promise
 * that settles when it ends; an exception from a step ends the job and rejects.
 */
export function runInSlices(steps: Iterator<unknown>, sliceMs: number): void | Promise<void> {
  if (runSlice(steps, sliceMs)) return
  return new Promise<void>((resolve, reject) => {
    const next = (): void => {
      try {
        if (runSlice(steps, sliceMs)) resolve()
        else setImmediate(next)
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)))
      }
    }
    setImmediate(next)
  })
}

/** Steps between clock reads: a step is at least one keccak, so this keeps reads a small part of the cost. */
const STEPS_PER_CLOCK_READ = 16

function runSlice(steps: Iterator<unknown>, sliceMs: number): boolean {
  const end = performance.now() + sliceMs
  for (;;) {
    for (let i = 0; i < STEPS_PER_CLOCK_READ; i++) if (steps.next().done === true) return true
    if (performance.now() >= end) return false
  }
}
