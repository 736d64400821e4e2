import type { BudgetView, SpendLine } from '../../../../shared/types'
import { useT } from '../../i18n/use-t'
import { useStudio } from '../../store'
import { Button, Field } from '../common/controls'
import { formatCost, formatDateTime } from '../common/format'
import { useAutosave, type SettingsPatchInput } from './autosave'
import { FieldError } from './FieldError'

interface Row {
  provider: string
  daily: string
  monthly: string
}

interface BudgetDraft {
  daily: string
  monthly: string
  rows: Row[]
}

const text = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v))
/** "7,5" and "7.5" are amounts; anything else goes as typed, for the engine to refuse naming the field. */
const amount = (v: string): number | null => {
  if (v.trim() === '') return null
  const n = Number(v.trim().replace(',', '.'))
  return Number.isFinite(n) ? n : (v as unknown as number)
}

function toPatch(d: BudgetDraft): SettingsPatchInput {
  return {
    budget: {
      dailyUsd: amount(d.daily),
      monthlyUsd: amount(d.monthly),
      providers: Object.fromEntries(d.rows.filter((r) => r.provider.trim()).map((r) => [r.provider.trim(), { dailyUsd: amount(r.daily), monthlyUsd: amount(r.monthly) }]))
    }
  }
}

/**
 * Spend caps: a daily and a monthly budget, overall and per provider ("openai", "elevenlabs",
 * "openai:gpt-4o"…), with what was spent against each cap (queue/stats' spend). A paid step whose
 * cap is reached waits until the period turns or the cap is raised. Saved as it is typed (the
 * caps go as a whole); a refusal stays under the caps until it is fixed.
 */
export function BudgetSection({ budget }: { budget: BudgetView }) {
  const t = useT()
  const spend = useStudio((s) => s.stats?.spend)
  const saved: BudgetDraft = {
    daily: text(budget.dailyUsd),
    monthly: text(budget.monthlyUsd),
    rows: Object.entries(budget.providers).map(([provider, c]) => ({ provider, daily: text(c.dailyUsd), monthly: text(c.monthlyUsd) }))
  }
  const caps = useAutosave<BudgetDraft>('budget', saved, toPatch, { path: ['budget'] })
  const d = caps.value
  const edit = (patch: Partial<BudgetDraft>, delayed = true) => caps.set({ ...d, ...patch }, delayed)
  const line = (provider: string | null, period: 'day' | 'month') => spend?.find((l) => l.provider === provider && l.period === period)
  const setRow = (i: number, patch: Partial<Row>) => edit({ rows: d.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)) })
  return (
    <section className="panel settings-section" data-testid="settings-budget">
      <h3>{t('budget.title')}</h3>
      <p className="muted small">{t('budget.hint')}</p>
      <div className="row-fields">
        <Field label={t('budget.daily')} htmlFor="budget-daily">
          <input id="budget-daily" inputMode="decimal" value={d.daily} onChange={(e) => edit({ daily: e.target.value })} placeholder={t('budget.none')} data-testid="budget-daily" />
        </Field>
        <Field label={t('budget.monthly')} htmlFor="budget-monthly">
          <input id="budget-monthly" inputMode="decimal" value={d.monthly} onChange={(e) => edit({ monthly: e.target.value })} placeholder={t('budget.none')} data-testid="budget-monthly" />
        </Field>
      </div>
      <SpendMeter line={line(null, 'day')} />
      <SpendMeter line={line(null, 'month')} />
      <table className="grid-table budget-providers">
        <thead>
          <tr>
            <th>{t('budget.provider')}</th>
            <th>{t('budget.daily')}</th>
            <th>{t('budget.monthly')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {d.rows.map((r, i) => (
            <tr key={i} data-testid="budget-row">
              <td>
                <input aria-label={t('budget.provider')} value={r.provider} placeholder="elevenlabs" onChange={(e) => setRow(i, { provider: e.target.value })} />
                <SpendMeter line={line(r.provider, 'day')} />
                <SpendMeter line={line(r.provider, 'month')} />
              </td>
              <td>
                <input aria-label={`${r.provider} ${t('budget.daily')}`} inputMode="decimal" value={r.daily} placeholder={t('budget.none')} onChange={(e) => setRow(i, { daily: e.target.value })} />
              </td>
              <td>
                <input aria-label={`${r.provider} ${t('budget.monthly')}`} inputMode="decimal" value={r.monthly} placeholder={t('budget.none')} onChange={(e) => setRow(i, { monthly: e.target.value })} />
              </td>
              <td>
                <Button onClick={() => edit({ rows: d.rows.filter((_, j) => j !== i) }, false)}>{t('budget.removeRow')}</Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <FieldError error={caps.error} testId="budget-error" />
      <Button onClick={() => edit({ rows: [...d.rows, { provider: '', daily: '', monthly: '' }] })} testId="budget-add">
        {t('budget.addRow')}
      </Button>
    </section>
  )
}

/** "$1.20 of $5.00 today · resets 05/12/2026 00:00:00", with a bar; nothing when the cap is not set. */
function SpendMeter({ line }: { line: SpendLine | undefined }) {
  const t = useT()
  if (!line) return null
  const ratio = line.capUsd > 0 ? Math.min(1, line.spentUsd / line.capUsd) : 1
  const reached = line.spentUsd >= line.capUsd
  return (
    <div className={`spend-meter${reached ? ' reached' : ''}`} data-testid="spend-meter">
      <meter min={0} max={1} value={ratio} />
      <span className="small">
        {t(line.period === 'day' ? 'budget.spentDay' : 'budget.spentMonth', { spent: formatCost(line.spentUsd, t.locale), cap: formatCost(line.capUsd, t.locale) })}
        {' · '}
        {t(reached ? 'budget.reached' : 'budget.resets', { at: formatDateTime(line.resetsAt, t.locale) })}
      </span>
    </div>
  )
}
