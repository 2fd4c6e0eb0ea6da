import { create, toBinary } from '@bufbuild/protobuf'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { BatchSyncNode } from '../src/main/core/protocol/datasync/batch-node'
import { decodeSyncPayload, oneToOneGroupId } from '../src/main/core/protocol/datasync/payload'
import {
  ChatMessage_ContentType,
  ChatMessage_MessageType,
  ChatMessageSchema
} from '../src/main/core/protocol/gen/protobuf/chat_message_pb'
import { readInbound } from '../src/main/core/protocol/inbound'
import { DropCounter } from '../src/main/core/protocol/validation'
import { MessageKind, wrapMessage } from '../src/main/core/protocol/wrapper'
import { rate } from './measure'
import type { BenchResult, BenchSuite } from './result'

const authorKey = secp256k1.utils.randomSecretKey()
const author = secp256k1.getPublicKey(authorKey, false)
const peer = secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), false)
const now = Date.now()

const chatBytes = toBinary(
  ChatMessageSchema,
  create(ChatMessageSchema, {
    clock: BigInt(now),
    timestamp: BigInt(now),
    text: 'x'.repeat(200),
    chatId: 'status',
    messageType: ChatMessage_MessageType.PUBLIC_GROUP,
    contentType: ChatMessage_ContentType.TEXT_PLAIN
  })
)

export const suite: BenchSuite = {
  title: 'Status payload layer (wrapper, validation, MVDS)',
  async run(): Promise<BenchResult[]> {
    const raw = wrapMessage(chatBytes, MessageKind.CHAT_MESSAGE, authorKey)
    const drops = new DropCounter()
    const context = { whisperTimestampMs: now, nowMs: now }

    const wrapRate = rate(1500, () => wrapMessage(chatBytes, MessageKind.CHAT_MESSAGE, authorKey))
    const readRate = rate(1500, () => readInbound(raw, context, drops))

    const group = oneToOneGroupId(author, peer)
    const sender = new BatchSyncNode({ now: () => now })
    const receiver = new BatchSyncNode({ now: () => now, maxRemembered: 1_000_000 })
    let n = 0
    const syncRate = rate(1500, () => {
      const body = new Uint8Array(raw.length + 4)
      body.set(raw)
      new DataView(body.buffer).setUint32(raw.length, n++)
      sender.send(group, [peer], body)
      const { payloads } = sender.tick()
      const payload = decodeSyncPayload(payloads[0]!.payload)
      receiver.receive(author, payload!)
      const ack = decodeSyncPayload(receiver.tick().payloads[0]!.payload)
      sender.receive(peer, ack!)
    })

    return [
      { name: 'wrap + sign ChatMessage (200-char text)', value: wrapRate, unit: 'msg/s' },
      { name: 'readInbound: unwrap + recover author + id + decode + validate', value: readRate, unit: 'msg/s' },
      {
        name: 'MVDS round trip: send, tick, decode, receive, ACK, decode, deliver',
        value: syncRate,
        unit: 'msg/s',
        note: `drops during run: ${drops.total}`
      }
    ]
  }
}
