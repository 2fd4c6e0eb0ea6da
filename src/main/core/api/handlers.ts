import type { ArgsOf, MethodName, ValueOf } from '../../../shared/api'

/** Who is calling: handlers never see transport details beyond this. */
export interface CallContext {
  transport: 'ipc' | 'websocket' | 'in-process'
  /** Set by dispatch, aborted when the call times out: queued or long work for it should stop. */
  signal?: AbortSignal
}

export type Handler<M extends MethodName> = (args: ArgsOf<M>, context: CallContext) => Promise<ValueOf<M>> | ValueOf<M>

/** One handler per method of the contract; the compiler refuses a table that misses one. */
export type HandlerTable = { [M in MethodName]: Handler<M> }
