import { t } from '../i18n/t'
import { CopyButton } from './CopyButton'
import './names.css'

/** Hex digits kept at each end of the short form: enough to tell keys apart at a glance, not to verify one. */
const EDGE_DIGITS = 6

/** `0x04abcdef…123456`: the one way a chat key is shortened on screen (the full key is one hover or copy away). */
export function shortKey(publicKey: string): string {
  return publicKey.length <= 4 + 2 * EDGE_DIGITS + 1 ? publicKey : `${publicKey.slice(0, 4 + EDGE_DIGITS)}…${publicKey.slice(-EDGE_DIGITS)}`
}

/** A chat key in its uncompressed 0x04… form, shortened, with the whole key as its tooltip and a copy button. */
export function ChatKey({ publicKey }: { publicKey: string }) {
  return (
    <span className="chat-key">
      <code title={publicKey} data-testid="chat-key">
        {shortKey(publicKey)}
      </code>
      <CopyButton text={publicKey} label={`${t('profile.copy')} ${t('profile.chatKey')}`} />
    </span>
  )
}
