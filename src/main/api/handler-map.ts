import type { CommandName, ParsedRequestOf, ResponseOf } from '../../shared/contract'

/**
 * One plain async function per contract command. Each capability's router (jobs.ts, batches.ts,
 * settings.ts…) returns its part of this map; handlers.ts and studio-handlers.ts compose them.
 * The type lives apart from the composition so that a router never imports the file that imports it.
 */
export type Handlers = { [C in CommandName]: (request: ParsedRequestOf<C>) => ResponseOf<C> | Promise<ResponseOf<C>> }

/** The commands whose names start with `prefix` (e.g. Routes<'batch/'>). */
export type Routes<Prefix extends string> = Pick<Handlers, Extract<CommandName, `${Prefix}${string}`>>
