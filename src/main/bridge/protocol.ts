/**
 * The WebSocket wire format of the browser bridge. The commands and events are the contract's
 * (src/shared/contract.ts); this only frames them. The renderer's client (src/renderer/src/api/
 * ws-client.ts) writes the same shapes; it cannot import this file (no Node in the renderer), so
 * the two are kept in step by the e2e tests, which drive the real client against this server.
 *
 *   client → server   {"id": 7, "command": "jobs/move", "request": {"id": "…", "direction": "up"}}
 *   server → client   {"id": 7, "result": {"ok": true, "value": {…}}}
 *   server → client   {"event": {"type": "job.changed", "job": {…}}}
 *   server → client   {"hello": {"protocol": 1}}                     once, after the upgrade
 */
import { z } from 'zod'
import type { Result } from '../../shared/contract'
import type { EngineEvent } from '../../shared/types'

export const PROTOCOL_VERSION = 1

export const ClientMessage = z.strictObject({
  id: z.union([z.string().min(1).max(64), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]),
  command: z.string().min(1).max(100),
  request: z.unknown().optional()
})
export type ClientMessage = z.infer<typeof ClientMessage>

export type ServerMessage =
  | { id: string | number | null; result: Result<unknown> }
  | { event: EngineEvent }
  | { hello: { protocol: number } }
