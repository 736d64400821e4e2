/**
 * Spend caps: a daily and a monthly budget, overall and per provider. Before a paid step runs,
 * the runner asks `budgetHold`; when a cap is already reached the step waits until the period
 * turns (local midnight, the first of the month) — or until the cap is raised, when the studio
 * releases waiting jobs on a settings change and they ask again. Pure: spend comes in through
 * `spent` (SQL lives in store/provider-calls.ts).
 */
import { z } from 'zod'

const Usd = z.number().nonnegative().max(1_000_000)
export const Caps = z.strictObject({ dailyUsd: Usd.nullable().optional(), monthlyUsd: Usd.nullable().optional() })
export const BudgetSettings = z.strictObject({
  ...Caps.shape,
  /** Provider id or prefix ("openai", "elevenlabs", "openai:gpt-4o") → its own caps. */
  providers: z.record(z.string().min(1).max(200), Caps).default({})
})
export type BudgetSettings = z.output<typeof BudgetSettings>

export type Period = 'day' | 'month'

/** Start of the current period and of the next one, in local time. */
export function periodBounds(period: Period, now: number): { start: number; next: number } {
  const d = new Date(now)
  if (period === 'day') {
    const start = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
    return { start, next: new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime() }
  }
  return { start: new Date(d.getFullYear(), d.getMonth(), 1).getTime(), next: new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime() }
}

export interface BudgetLine {
  /** null for the overall budget. */
  provider: string | null
  period: Period
  capUsd: number
  spentUsd: number
  resetsAt: number
}

/** `spent(since, provider?)`: USD spent since a moment, overall or by one provider key. */
export type SpentFn = (since: number, provider?: string) => number

/** Every cap that is set, with what was spent against it. */
export function budgetReport(budget: BudgetSettings, spent: SpentFn, now = Date.now()): BudgetLine[] {
  const lines: BudgetLine[] = []
  const add = (provider: string | null, caps: z.output<typeof Caps>) => {
    for (const period of ['day', 'month'] as const) {
      const cap = period === 'day' ? caps.dailyUsd : caps.monthlyUsd
      if (cap === null || cap === undefined) continue
      const { start, next } = periodBounds(period, now)
      lines.push({ provider, period, capUsd: cap, spentUsd: spent(start, provider ?? undefined), resetsAt: next })
    }
  }
  add(null, budget)
  for (const [provider, caps] of Object.entries(budget.providers)) add(provider, caps)
  return lines
}

const covers = (key: string, provider: string) => provider === key || provider.startsWith(`${key}:`)

/**
 * Whether a paid step of `provider` must wait, and until when: the latest reset among the caps it
 * has reached (all of them must have turned before it can run).
 */
export function budgetHold(provider: string, budget: BudgetSettings, spent: SpentFn, now = Date.now()): { reason: string; until: number } | null {
  const reached = budgetReport(budget, spent, now).filter((l) => (l.provider === null || covers(l.provider, provider)) && l.spentUsd >= l.capUsd)
  if (reached.length === 0) return null
  const until = Math.max(...reached.map((l) => l.resetsAt))
  const first = reached.find((l) => l.resetsAt === until)!
  const scope = first.provider ? `${first.provider} ` : ''
  return {
    reason: `budget reached (${scope}${first.period === 'day' ? 'daily' : 'monthly'} cap $${first.capUsd.toFixed(2)}, spent $${first.spentUsd.toFixed(2)}; resets at ${new Date(until).toLocaleString()})`,
    until
  }
}

/** Whether any cap is set: with none, nothing is held and no spend need be read. */
export function hasCaps(budget: BudgetSettings): boolean {
  return budget.dailyUsd != null || budget.monthlyUsd != null || Object.keys(budget.providers).length > 0
}

interface ProviderLike {
  id: string
  offline: boolean
}
/** The configured providers (services.providers()'s shape, kept structural: this module stays pure). */
export interface ConfiguredProviders {
  text: ProviderLike
  image: ProviderLike
  speech: ProviderLike
  music: ProviderLike
  list(): ReadonlyArray<{ id: string; free?: boolean | undefined }>
}

/** Ids of the configured providers that charge: only their steps count against the caps. */
export function paidProviders(set: ConfiguredProviders): string[] {
  return [set.text, set.image, set.speech, set.music].filter((p) => !p.offline && !set.list().some((i) => i.id === p.id && i.free)).map((p) => p.id)
}
