/**
 * A duration as the engine's English messages and log lines write it: "850 ms", "1.5 s", "2 s",
 * "2 min 3 s". One writer for every message (step logs, retry delays, download timeouts), so that
 * the window's log translation meets one shape. The window's own clock ("1m 05s") is formatDuration
 * in the renderer, localised.
 */
export function formatMs(ms: number): string {
  const n = Number.isFinite(ms) ? Math.max(0, Math.round(ms)) : 0
  if (n < 1000) return `${n} ms`
  const tenths = Math.round(n / 100)
  if (tenths < 600) return tenths % 10 === 0 ? `${tenths / 10} s` : `${(tenths / 10).toFixed(1)} s`
  const seconds = Math.round(n / 1000)
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
}
