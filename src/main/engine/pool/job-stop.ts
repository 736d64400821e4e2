/**
 * How a running job is stopped from outside its step (cancel, lost lease, shutdown): an
 * AbortController made only when something asks for its signal. Creating an AbortSignal costs
 * more CPU than the rest of a no-op step's start together (bench/queue, cpu profile); most steps
 * of a queue at full speed are over before anyone waits on it, and a stop before then is kept
 * and handed to the signal when it is made.
 */
export class JobStop {
  private controller: AbortController | null = null
  private why: unknown = undefined
  private stopped = false

  get aborted(): boolean {
    return this.stopped
  }

  get reason(): unknown {
    return this.why
  }

  /** The first reason wins, as with AbortController. */
  abort(reason: unknown): void {
    if (this.stopped) return
    this.stopped = true
    this.why = reason
    this.controller?.abort(reason)
  }

  throwIfAborted(): void {
    if (this.stopped) throw this.why
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController()
      if (this.stopped) this.controller.abort(this.why)
    }
    return this.controller.signal
  }
}
