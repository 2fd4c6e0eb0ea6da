import * as z from 'zod'
import { method } from './contract'

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** Which host serves the API: the Electron main process or the headless web host. */
  runtime: z.enum(['electron', 'web', 'in-process']),
  profile: z.string(),
  platform: z.string()
})
export type AppInfo = z.infer<typeof AppInfo>

export const appMethods = {
  'app.info': method(z.object({}).strict(), AppInfo),
  /** Opens an http(s) link in the system browser after validation (a no-op result in the web host). */
  'app.openExternal': method(z.object({ url: z.string().max(2048) }).strict(), z.object({ opened: z.boolean() }))
}
