import * as z from 'zod'

/** Frames of the web host's WebSocket: the same calls and events as Electron IPC, as JSON. */
export const ClientFrame = z.object({
  type: z.literal('call'),
  id: z.number().int().nonnegative(),
  method: z.string().max(128),
  args: z.unknown()
})
export type ClientFrame = z.infer<typeof ClientFrame>

export const ServerFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: z.number().int().nonnegative(), result: z.unknown() }),
  z.object({ type: z.literal('event'), event: z.string(), payload: z.unknown() })
])
export type ServerFrame = z.infer<typeof ServerFrame>

/** Path of the API socket on the web host; the per-run token travels as the `token` query parameter. */
export const WS_API_PATH = '/api'
export const MAX_FRAME_BYTES = 4 * 1024 * 1024
