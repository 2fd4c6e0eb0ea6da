import * as z from 'zod'
import { method } from './contract'

export const PeerInfo = z.object({
  id: z.string(),
  address: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  powRequirement: z.number(),
  fullNode: z.boolean(),
  light: z.boolean(),
  trusted: z.boolean(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  connectedAt: z.number()
})
export type PeerInfo = z.infer<typeof PeerInfo>

export const NodeStatus = z.object({
  state: z.enum(['starting', 'running', 'stopped', 'failed']),
  enode: z.string().nullable(),
  peers: z.array(PeerInfo),
  envelopes: z.number(),
  error: z.string().optional()
})
export type NodeStatus = z.infer<typeof NodeStatus>

export const nodeMethods = {
  'node.status': method(z.object({}).strict(), NodeStatus)
}

export const nodeEvents = {
  'node.status': NodeStatus
}
