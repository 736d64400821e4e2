import { useEffect, useSyncExternalStore } from 'react'

/** One shared 1 s clock for countdowns: every ETA on screen ticks together with one timer. */
const clock = (() => {
  let now = Date.now()
  const listeners = new Set<() => void>()
  let timer: ReturnType<typeof setInterval> | null = null
  return {
    subscribe(listener: () => void) {
      listeners.add(listener)
      if (!timer) {
        // The clock stood still while nothing showed a countdown: catch up now (React reads the
        // snapshot again right after subscribing), or a panel opened later would count from then.
        now = Date.now()
        timer = setInterval(() => {
          now = Date.now()
          for (const l of [...listeners]) l()
        }, 1000)
      }
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0 && timer) {
          clearInterval(timer)
          timer = null
        }
      }
    },
    get: () => now
  }
})()

export function useNow(): number {
  return useSyncExternalStore(clock.subscribe, clock.get, clock.get)
}

export function useDebouncedEffect(effect: () => void | (() => void), deps: unknown[], ms: number): void {
  useEffect(() => {
    let cleanup: void | (() => void)
    const timer = setTimeout(() => {
      cleanup = effect()
    }, ms)
    return () => {
      clearTimeout(timer)
      if (typeof cleanup === 'function') cleanup()
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps)
}

/** Is the keyboard event meant for a text field (then shortcuts stay out of the way)? */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  if (!el || !el.tagName) return false
  const tag = el.tagName
  if (tag === 'TEXTAREA' || el.isContentEditable) return true
  if (tag === 'SELECT') return true
  if (tag === 'INPUT') {
    const type = (el as HTMLInputElement).type
    return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'file', 'color'].includes(type)
  }
  return false
}
