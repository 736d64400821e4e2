import { QueueError } from '../engine/errors'

/**
 * A zod error thrown by an engine module that validates what the user sent (a batch config, a
 * settings patch) is a refused request, not a bug. Only the routes that hand such input over use
 * this: a zod error anywhere else (data read back from the database) stays an internal error.
 */
export async function refuseZodErrors<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof Error && err.name === 'ZodError') throw new QueueError('bad_request', err.message)
    throw err
  }
}
