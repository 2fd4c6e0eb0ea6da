import type * as z from 'zod'
import { accountEvents, accountMethods } from './accounts'
import { appMethods } from './app'
import { chatEvents, chatMethods } from './chats'
import { contactEvents, contactMethods } from './contacts'
import { groupMethods } from './groups'
import { nodeEvents, nodeMethods } from './node'

export * from './accounts'
export * from './app'
export * from './chats'
export * from './contacts'
export * from './contract'
export * from './groups'
export * from './node'
export * from './reasons'
export * from './result'

/** Every method of the Hush API, by name. Main, preload, web host and renderer all derive from this table. */
export const methods = {
  ...appMethods,
  ...nodeMethods,
  ...accountMethods,
  ...chatMethods,
  ...contactMethods,
  ...groupMethods
}

/** Every event stream main pushes to the renderer, by name, with its payload schema. */
export const events = {
  ...nodeEvents,
  ...accountEvents,
  ...chatEvents,
  ...contactEvents
}

export type Methods = typeof methods
export type MethodName = keyof Methods
export type ArgsOf<M extends MethodName> = z.input<Methods[M]['args']>
export type ValueOf<M extends MethodName> = z.output<Methods[M]['result']>
export type Events = typeof events
export type EventName = keyof Events
export type EventPayload<E extends EventName> = z.output<Events[E]>

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name)
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name)
}
