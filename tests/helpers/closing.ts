import { afterEach } from 'vitest'

/**
 * What a test opens, closed after it whatever happened, newest first (a studio before the server
 * it calls). `const track = closeAfterEach()` at the top of a file, then
 * `const server = track(await startServer(), (s) => s.close())`.
 */
export function closeAfterEach(): <T>(thing: T, close: (thing: T) => unknown) => T {
  let open: Array<() => unknown> = []
  afterEach(async () => {
    const closing = open.reverse()
    open = []
    for (const close of closing) await close()
  })
  return (thing, close) => {
    open.push(() => close(thing))
    return thing
  }
}
