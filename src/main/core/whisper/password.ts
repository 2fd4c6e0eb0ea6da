import { pbkdf2 } from 'node:crypto'
import { utf8ToBytes } from '@noble/hashes/utils.js'

/** geth's iteration count: a typo for 65536 that became part of the protocol. */
export const PASSWORD_ITERATIONS = 65356

/** geth `AddSymKeyFromPassword`: PBKDF2-HMAC-SHA256(utf8(password), empty salt, 65356, 32 bytes). */
export function symKeyFromPassword(password: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    pbkdf2(utf8ToBytes(password), new Uint8Array(0), PASSWORD_ITERATIONS, 32, 'sha256', (err, key) => {
      if (err) reject(err)
      else resolve(new Uint8Array(key))
    })
  })
}
