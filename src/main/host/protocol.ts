/**
 * The messages between the engine's process (the host) and whoever drives it (the client: the
 * Electron main process, or `studio serve`'s bridge). Pure data, checked with zod on both ends:
 * a port is a boundary like any other, and a malformed message is refused with a sentence, never
 * a crash. Contract commands cross it unparsed: the host runs the shared `dispatch`, which
 * validates them exactly as the WebSocket bridge and Electron IPC always did.
 */
import { z } from 'zod'
import type { Result } from '../../shared/contract'
import { describeZodError } from '../../shared/schemas'
import type { EngineEvent } from '../../shared/types'

export const HOST_PROTOCOL = 1

export const SECRET_KINDS = ['text', 'image', 'speech', 'stock', 'farm'] as const
export type HostSecretKind = (typeof SECRET_KINDS)[number]
export type SecretKeys = Partial<Record<HostSecretKind, string>>

const id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)
const secretKeys = z.strictObject({ text: z.string().max(10_000).optional(), image: z.string().max(10_000).optional(), speech: z.string().max(10_000).optional(), stock: z.string().max(10_000).optional(), farm: z.string().max(10_000).optional() })

/** Operations outside the contract that only the trusted client may ask for (never a page). */
export const HOST_OPS = {
  /** A file the user dropped on the window, imported by its path (see desktop/dropped-files.ts). */
  'assets.importFile': z.strictObject({ projectId: z.string().min(1).max(200), name: z.string().min(1).max(255), path: z.string().min(1).max(4096) }),
  /** A file `studio serve` received by upload, moved into the project. */
  'assets.adoptUpload': z.strictObject({ projectId: z.string().min(1).max(200), name: z.string().min(1).max(255), path: z.string().min(1).max(4096) }),
  /** The keys again, after the user saved or removed one (answered once the engine holds them). */
  'secrets.replace': z.strictObject({ keys: secretKeys })
} as const
export type HostOp = keyof typeof HOST_OPS
export type HostOpArgs<O extends HostOp> = z.infer<(typeof HOST_OPS)[O]>

export const ClientMessage = z.discriminatedUnion('t', [
  /** A contract command, as a page sent it: the host validates and runs it. */
  z.strictObject({ t: z.literal('call'), id, command: z.string().max(200), request: z.unknown().optional() }),
  z.strictObject({ t: z.literal('op'), id, op: z.enum(Object.keys(HOST_OPS) as [HostOp, ...HostOp[]]), args: z.unknown() }),
  /** The keys the host asked for (or new ones after the user saved a key). */
  z.strictObject({ t: z.literal('secrets'), keys: secretKeys }),
  /** Stop the pool (running steps get `graceMs`), close the database, answer `closed`. */
  z.strictObject({ t: z.literal('close'), id, graceMs: z.number().int().min(0).max(600_000) })
])
export type ClientMessage = z.infer<typeof ClientMessage>

const apiError = z.object({ code: z.string(), message: z.string() })
const resultShape = z.union([z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: apiError })])
const result = z.custom<Result<unknown>>((value) => resultShape.safeParse(value).success, 'a result is {ok: true, value} or {ok: false, error: {code, message}}')
const event = z.custom<EngineEvent>(
  (value) => typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string',
  'an event is an object with a type'
)

export const HostMessage = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('ready'), protocol: z.literal(HOST_PROTOCOL), pid: z.number().int(), dataDir: z.string(), artifactsRoot: z.string() }),
  z.strictObject({ t: z.literal('result'), id, result }),
  z.strictObject({ t: z.literal('event'), event }),
  /** The host needs the stored keys (it cannot decrypt them: safeStorage is the main process's). */
  z.strictObject({ t: z.literal('secrets.request') }),
  /** The engine forgot a key (its provider moved to another server): the client drops it too. */
  z.strictObject({ t: z.literal('secrets.forget'), kind: z.enum(SECRET_KINDS) }),
  /** A message the host could not accept; `id` when the message had one. */
  z.strictObject({ t: z.literal('refused'), id: id.nullable(), message: z.string() }),
  z.strictObject({ t: z.literal('closed'), id })
])
export type HostMessage = z.infer<typeof HostMessage>

/** Parse one side's message; a refusal is a sentence naming the field. */
export function parseMessage<T>(schema: z.ZodType<T>, raw: unknown): { ok: true; message: T } | { ok: false; id: number | null; error: string } {
  const parsed = schema.safeParse(raw)
  if (parsed.success) return { ok: true, message: parsed.data }
  const rawId = (raw as { id?: unknown } | null)?.id
  return { ok: false, id: typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId >= 0 ? rawId : null, error: `bad message: ${describeZodError(parsed.error, 'message')}` }
}

/**
 * One end of a message channel, whatever carries it: an Electron MessagePortMain, a worker's
 * port, a child process's IPC. The entries adapt theirs to this.
 */
export interface Channel {
  send(message: unknown): void
  onMessage(listener: (message: unknown) => void): () => void
}
