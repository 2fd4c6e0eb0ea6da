import type { HushBridge } from '../../../shared/api/contract'
import type { Dispatch } from './dispatch'
import type { EventHub } from './event-hub'

/**
 * The third way to serve the API: a bridge that calls the dispatch directly. Unit tests of the core use it
 * with the same typed client the renderer uses, so they exercise the same validation path.
 */
export function inProcessBridge(dispatch: Dispatch, events: EventHub): HushBridge {
  return {
    call: (method, args) => dispatch(method, structuredClone(args), { transport: 'in-process' }),
    on: (event, listener) =>
      events.subscribe((name, payload) => {
        if (name === event) listener(structuredClone(payload))
      })
  }
}
