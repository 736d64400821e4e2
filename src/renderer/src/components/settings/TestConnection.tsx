import { useState } from 'react'
import type { ProviderKindName, ProviderTestResult } from '../../../../shared/types'
import { useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { Button } from '../common/controls'
import { Icon } from '../common/Icon'

/** Runs the saved provider's health probe (the one the circuit breaker uses) and shows its answer and time. */
export function TestConnection({ kind }: { kind: ProviderKindName }) {
  const t = useT()
  const call = useCall()
  const [state, setState] = useState<{ busy: boolean; result: ProviderTestResult | null }>({ busy: false, result: null })
  const run = async () => {
    setState({ busy: true, result: null })
    const r = await call('providers/test', { kind }, { quiet: true })
    setState({ busy: false, result: r.ok ? r.value : { ok: false, provider: '', ms: 0, message: r.error.message } })
  }
  const result = state.result
  return (
    <div className="inline-form test-connection">
      <Button icon="bolt" onClick={() => void run()} disabled={state.busy} testId="provider-test">
        {state.busy ? t('settings.testing') : t('settings.testConnection')}
      </Button>
      {result ? (
        <span className={`small ${result.ok ? 'ok' : 'bad'}`} role="status" data-testid="provider-test-result">
          <Icon name={result.ok ? 'check' : 'alert'} size={12} />{' '}
          {result.ok
            ? t('settings.testOk', { provider: result.provider, ms: result.ms })
            : t('settings.testFailed', { provider: result.provider, ms: result.ms, message: result.message ?? '' })}
        </span>
      ) : null}
    </div>
  )
}
