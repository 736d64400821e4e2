import { useEffect, useState } from 'react'
import type { BudgetView, SpendLine } from '../../../../shared/types'
import { useT } from '../../i18n/use-t'
import { useStudio } from '../../store'
import { Button, Field } from '../common/controls'
import { formatCost, formatDateTime } from '../common/format'
import { useSettingsSave } from './save'

interface Row {
  provider: string
  daily: string
  monthly: string
}

const text = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v))
const amount = (v: string): number | null => (v.trim() === '' ? null : Number(v.replace(',', '.')))

/**
 * Spend caps: a daily and a monthly budget, overall and per provider ("openai", "elevenlabs",
 * "openai:gpt-4o"…), with what was spent against each cap (queue/stats' spend). A paid step whose
 * cap is reached waits until the period turns or the cap is raised.
 */
export function BudgetSection({ budget }: { budget: BudgetView }) {
  const t = useT()
  const save = useSettingsSave()
  const spend = useStudio((s) => s.stats?.spend)
  const [daily, setDaily] = useState(text(budget.dailyUsd))
  const [monthly, setMonthly] = useState(text(budget.monthlyUsd))
  const [rows, setRows] = useState<Row[]>([])
  const [error, setError] = useState<string | null>(null)
  const key = JSON.stringify(budget)
  useEffect(() => {
    setDaily(text(budget.dailyUsd))
    setMonthly(text(budget.monthlyUsd))
    setRows(Object.entries(budget.providers).map(([provider, c]) => ({ provider, daily: text(c.dailyUsd), monthly: text(c.monthlyUsd) })))
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key])

  const apply = () => {
    const values = [daily, monthly, ...rows.flatMap((r) => [r.daily, r.monthly])].map(amount)
    if (values.some((v) => v !== null && (!Number.isFinite(v) || v < 0))) return setError(t('budget.invalid'))
    const named = rows.filter((r) => r.provider.trim())
    setError(null)
    void save({
      budget: {
        dailyUsd: amount(daily),
        monthlyUsd: amount(monthly),
        providers: Object.fromEntries(named.map((r) => [r.provider.trim(), { dailyUsd: amount(r.daily), monthlyUsd: amount(r.monthly) }]))
      }
    })
  }
  const line = (provider: string | null, period: 'day' | 'month') => spend?.find((l) => l.provider === provider && l.period === period)
  const setRow = (i: number, patch: Partial<Row>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)))
  return (
    <section className="panel settings-section" data-testid="settings-budget">
      <h3>{t('budget.title')}</h3>
      <p className="muted small">{t('budget.hint')}</p>
      <div className="row-fields">
        <Field label={t('budget.daily')} htmlFor="budget-daily">
          <input id="budget-daily" inputMode="decimal" value={daily} onChange={(e) => setDaily(e.target.value)} placeholder={t('budget.none')} data-testid="budget-daily" />
        </Field>
        <Field label={t('budget.monthly')} htmlFor="budget-monthly">
          <input id="budget-monthly" inputMode="decimal" value={monthly} onChange={(e) => setMonthly(e.target.value)} placeholder={t('budget.none')} data-testid="budget-monthly" />
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
          {rows.map((r, i) => (
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
                <Button onClick={() => setRows(rows.filter((_, j) => j !== i))}>{t('budget.removeRow')}</Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="inline-form">
        <Button onClick={() => setRows([...rows, { provider: '', daily: '', monthly: '' }])} testId="budget-add">
          {t('budget.addRow')}
        </Button>
        <Button kind="primary" onClick={apply} testId="budget-save">
          {t('common.save')}
        </Button>
      </div>
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
