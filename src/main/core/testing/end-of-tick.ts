/** Resolves once the current tick is over: the event hub's batch of that tick has been delivered. */
export const endOfTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
