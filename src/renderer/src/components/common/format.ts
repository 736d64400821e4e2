import { csvDelimiterFor, csvText } from '../../../../shared/csv'
import type { Locale } from '../../i18n'
import { shortJobId } from '../../../../shared/job-id'

const intl = (locale: Locale) => (locale === 'fr' ? 'fr-FR' : 'en-US')

/** 950 ms → "<1s", 65 s → "1m 05s", 2 h → "2h 00m" (French: "1 min 05 s"). */
export function formatDuration(ms: number | null | undefined, locale: Locale = 'en'): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  const fr = locale === 'fr'
  if (ms < 1000) return fr ? '<1 s' : '<1s'
  const total = Math.round(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const pad = (n: number) => String(n).padStart(2, '0')
  if (h > 0) return fr ? `${h} h ${pad(m)}` : `${h}h ${pad(m)}m`
  if (m > 0) return fr ? `${m} min ${pad(s)} s` : `${m}m ${pad(s)}s`
  return fr ? `${s} s` : `${s}s`
}

/** An estimate: "~12s", but "<1s" rather than "~<1s", and "—" (unknown) as it is. */
export function approx(duration: string): string {
  return duration.startsWith('<') || duration === '—' ? duration : '~' + duration
}

export function formatCost(usd: number | null | undefined, locale: Locale = 'en'): string {
  if (usd === null || usd === undefined) return '—'
  const digits = usd !== 0 && Math.abs(usd) < 0.1 ? 4 : 2
  return new Intl.NumberFormat(intl(locale), { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: digits }).format(usd)
}

export function formatBytes(bytes: number, locale: Locale = 'en'): string {
  const units = locale === 'fr' ? ['o', 'Ko', 'Mo', 'Go'] : ['B', 'KB', 'MB', 'GB']
  let v = bytes
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${new Intl.NumberFormat(intl(locale), { maximumFractionDigits: i === 0 ? 0 : 1 }).format(v)} ${units[i]}`
}

export function formatTime(ts: number | null | undefined, locale: Locale = 'en'): string {
  if (!ts) return '—'
  return new Date(ts).toLocaleTimeString(intl(locale), { hour: '2-digit', minute: '2-digit', second: '2-digit' })
}

export function formatDateTime(ts: number | null | undefined, locale: Locale = 'en'): string {
  if (!ts) return '—'
  return new Date(ts).toLocaleString(intl(locale), { dateStyle: 'short', timeStyle: 'medium' })
}

/**
 * 0.9995 → "99.9%", not "100%": a success rate with one failure in two thousand must not read as
 * none, nor an error rate with one failure as "0%". Only exactly all or nothing shows 100% or 0%.
 */
export function formatPercent(ratio: number | null | undefined, locale: Locale = 'en'): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—'
  const shown = ratio > 0 && ratio < 1 ? Math.min(0.999, Math.max(0.001, ratio)) : ratio
  return new Intl.NumberFormat(intl(locale), { style: 'percent', maximumFractionDigits: 1 }).format(shown)
}

/** A job's short id: its first 8 characters, or its last 8 for a time-ordered id (shared/job-id.ts). */
export function shortId(id: string): string {
  return shortJobId(id)
}

/** Which player shows a file. */
export function mediaKind(path: string): 'image' | 'audio' | 'video' | 'text' | 'other' {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? ''
  if (['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'svg'].includes(ext)) return 'image'
  if (['wav', 'mp3', 'm4a', 'aac', 'ogg', 'oga', 'opus', 'flac'].includes(ext)) return 'audio'
  if (['mp4', 'm4v', 'mov', 'webm', 'mkv'].includes(ext)) return 'video'
  if (['txt', 'md', 'json', 'srt', 'vtt', 'ass', 'csv'].includes(ext)) return 'text'
  return 'other'
}

export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path
}

/** CSV as the user's spreadsheet app reads it in their language (see shared/csv.ts). */
export function toCsv(rows: readonly (readonly unknown[])[], locale = 'en'): string {
  return csvText(rows, csvDelimiterFor(locale))
}

export function downloadText(fileNameToSave: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob(['\ufeff' + text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileNameToSave
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** Read a dropped file as base64 (no data: prefix), for the contract's upload commands. */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => {
      const s = String(reader.result)
      resolve(s.slice(s.indexOf(',') + 1))
    }
    reader.onerror = () => reject(reader.error ?? new Error('cannot read file'))
    reader.readAsDataURL(file)
  })
}
