import type { ErrorReason } from './api/reasons'

/**
 * Public chat names as the Status app accepted them (status-react
 * `valid-topic?`): non-empty, only a–z, 0–9 and '-', and not a chat key (a
 * name equal to a key would collide with that user's 1:1 chat id). Shared so the join dialog can judge a
 * name as it is typed, by the same rules main applies.
 */

/** No limit was found in Status code; this bound is Hush's own, to keep input and links sane. */
export const MAX_PUBLIC_CHAT_NAME_LENGTH = 255

export type PublicChatNameProblem = 'EMPTY' | 'TOO_LONG' | 'INVALID_CHARACTERS' | 'LOOKS_LIKE_PUBLIC_KEY'

export type PublicChatNameCheck =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly problem: PublicChatNameProblem; readonly message: string }

const ALLOWED = /^[a-z0-9-]+$/
const CHAT_KEY = /^0x04[0-9a-f]{128}$/

/** Checks a name exactly as given; use `publicChatNameFromInput` for what a user typed. */
export function checkPublicChatName(name: string): PublicChatNameCheck {
  if (name.length === 0) return { ok: false, problem: 'EMPTY', message: 'Enter a chat name.' }
  if (name.length > MAX_PUBLIC_CHAT_NAME_LENGTH) {
    return {
      ok: false,
      problem: 'TOO_LONG',
      message: `Chat names can be at most ${MAX_PUBLIC_CHAT_NAME_LENGTH} characters.`
    }
  }
  if (!ALLOWED.test(name)) {
    return {
      ok: false,
      problem: 'INVALID_CHARACTERS',
      message: 'Chat names may only use lowercase letters a–z, digits 0–9 and dashes.'
    }
  }
  if (CHAT_KEY.test(name)) {
    return { ok: false, problem: 'LOOKS_LIKE_PUBLIC_KEY', message: 'That is a chat key, not a public chat name.' }
  }
  return { ok: true, name }
}

/** Accepts "#name" and surrounding spaces as typed in a join box, then applies the rules. */
export function publicChatNameFromInput(input: string): PublicChatNameCheck {
  const trimmed = input.trim()
  return checkPublicChatName(trimmed.startsWith('#') ? trimmed.slice(1) : trimmed)
}

/** What the person is told for each way a name can be refused. */
export function chatNameReason(problem: PublicChatNameProblem): ErrorReason {
  switch (problem) {
    case 'EMPTY':
      return { reason: 'CHAT_NAME_EMPTY' }
    case 'TOO_LONG':
      return { reason: 'CHAT_NAME_TOO_LONG', max: MAX_PUBLIC_CHAT_NAME_LENGTH }
    case 'INVALID_CHARACTERS':
      return { reason: 'CHAT_NAME_CHARACTERS' }
    case 'LOOKS_LIKE_PUBLIC_KEY':
      return { reason: 'CHAT_NAME_IS_KEY' }
  }
}
