/**
 * A LISTEN connection a farm worker keeps open: the wake-ups (wake.ts) and other machines' changes
 * (job-relay.ts). A connection cut (a server restart, the network) is reported, then opened again
 * every `retryMs` until it works; meanwhile the worker's safety sweep finds what the lost
 * notifications would have said, and `reopened` lets it look at once when the connection is back.
 */
export interface Listening {
  close(): Promise<void>
}

export interface KeepListeningOptions {
  /** What it listens for, in the log: "wake-ups", "queue changes". */
  what: string
  open: (onError: (err: Error) => void) => Promise<Listening>
  retryMs: number
  log: (line: string) => void
  /** Called after a reconnection (not after the first connection). */
  reopened?: () => void
}

/** Opens the listener (the first failure is the caller's), and keeps it open until `close`. */
export async function keepListening(o: KeepListeningOptions): Promise<Listening> {
  let current: Listening | null = null
  let closed = false
  let retry: NodeJS.Timeout | null = null
  const lost = (err: Error) => {
    if (closed || retry) return
    o.log(`the connection for ${o.what} was lost (${err.message}); reconnecting every ${Math.round(o.retryMs / 1000)} s`)
    const old = current
    current = null
    void old?.close()
    schedule()
  }
  const schedule = () => {
    retry = setTimeout(() => {
      retry = null
      if (closed) return
      o.open(lost).then(
        (l) => {
          if (closed) return void l.close()
          current = l
          o.log(`listening for ${o.what} again`)
          o.reopened?.()
        },
        () => schedule()
      )
    }, o.retryMs)
    retry.unref?.()
  }
  current = await o.open(lost)
  return {
    close: async () => {
      closed = true
      if (retry) clearTimeout(retry)
      await current?.close()
    }
  }
}
