import type { StepView } from '../../../../shared/types'
import type { Translator } from '../../i18n'
import { formatCost } from '../common/format'

/**
 * Costs as a user should read them: a model missing from the price table did cost something,
 * we just do not know what, so its step says "unknown" and the job's total is a floor ("≥ $0.02"),
 * never a reassuring $0.00.
 */
export function stepCostLabel(step: Pick<StepView, 'cost' | 'costKnown'>, t: Translator): string {
  return step.costKnown === false ? t('detail.costUnknown') : formatCost(step.cost, t.locale)
}

export function jobCostLabel(totalUsd: number, steps: readonly Pick<StepView, 'costKnown'>[], t: Translator): string {
  return costLabel(totalUsd, !steps.some((s) => s.costKnown === false), t)
}

/** A total (a job's, a batch's) that is complete or only a floor. */
export function costLabel(totalUsd: number, known: boolean, t: Translator): string {
  if (known) return formatCost(totalUsd, t.locale)
  return totalUsd > 0 ? `≥ ${formatCost(totalUsd, t.locale)}` : t('detail.costUnknown')
}
