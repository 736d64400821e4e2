import { useEffect, useState } from 'react'
import type { ApiError } from '../../../../shared/contract'
import type { FarmConnectionView, FarmStatusView, FarmTestResult, FarmWorkerView } from '../../../../shared/farm'
import { formatMs } from '../../../../shared/format-ms'
import { useCall } from '../../api/context'
import { errorText } from '../../api/error-text'
import { quotedField } from '../../api/field-labels'
import type { MessageKey, Translator } from '../../i18n'
import { useT } from '../../i18n/use-t'
import { useStudio } from '../../store'
import { Button, Field, Unavailable } from '../common/controls'
import { Icon } from '../common/Icon'
import { FarmSharedDir } from './FarmSharedDir'
import { FieldError } from './FieldError'

/** The farm's refusals the window words itself (each names the queue URL field); others go through errorText. */
const FARM_ERRORS: Record<string, MessageKey> = {
  farm_unreachable: 'farm.error.unreachable',
  farm_address_forbidden: 'farm.error.forbidden',
  farm_not_connected: 'farm.error.notConnected',
  farm_not_initialised: 'farm.error.notInitialised',
  farm_schema_newer: 'farm.error.schemaNewer',
  farm_password_not_stored: 'farm.error.passwordNotStored'
}

/** A farm error in the user's words, the engine's own (English, password masked) kept as the detail. */
export function farmErrorText(error: ApiError, t: Translator): { text: string; detail: string | null } {
  const key = FARM_ERRORS[error.code]
  if (key) return { text: t(key, { field: quotedField(['queueUrl'], t) }), detail: error.message }
  return { text: errorText(error, t.locale), detail: null }
}

/** The URL as saved (never with its password), with bullets where a stored password goes. */
export function maskedUrl(connection: FarmConnectionView): string {
  const url = connection.queueUrl ?? ''
  return connection.hasPassword ? url.replace(/^(postgres(?:ql)?:\/\/[^@/:]*)@/, '$1:••••••@') : url
}

type Busy = 'test' | 'connect' | 'disconnect' | 'refresh' | null

/**
 * Settings → "Studio farm": several machines rendering from one PostgreSQL queue. The user gives
 * the farm's URL, tests it, connects (the engine keeps the password with the API keys and never
 * sends it back: it is shown masked), and sees the farm's workers, what each runs, and its queue.
 */
export function FarmSection() {
  const t = useT()
  const call = useCall()
  const unavailable = useStudio((s) => s.unavailable.farm)
  const byFlag = useStudio((s) => (s.farmQueue.chosenBy === 'flag' ? s.farmQueue.queueUrl : null))
  const [connection, setConnection] = useState<FarmConnectionView | null>(null)
  const [url, setUrl] = useState('')
  const [busy, setBusy] = useState<Busy>(null)
  const [error, setError] = useState<{ text: string; detail: string | null } | null>(null)
  const [tested, setTested] = useState<FarmTestResult | null>(null)
  const [status, setStatus] = useState<FarmStatusView | null>(null)

  const refresh = async () => {
    setBusy('refresh')
    const r = await call('farm/status', {}, { quiet: true })
    setBusy(null)
    if (r.ok) {
      setStatus(r.value)
      setError(null)
    } else {
      setStatus(null)
      setError(farmErrorText(r.error, t))
    }
  }

  useEffect(() => {
    let live = true
    void call('farm/get', {}, { quiet: true }).then((r) => {
      if (!live || !r.ok || !r.value) return
      setConnection(r.value)
      if (r.value.queueUrl) {
        setUrl(r.value.queueUrl)
        void refresh()
      }
    })
    return () => {
      live = false
    }
    // Once, when the page opens (refresh is remade each render; call is stable).
  }, [call])

  const test = async () => {
    setBusy('test')
    setTested(null)
    const typed = url.trim()
    // The saved URL (with its stored password) when the field still shows it.
    const request = typed && typed !== connection?.queueUrl ? { queueUrl: typed } : {}
    const r = await call('farm/test', request, { quiet: true })
    setBusy(null)
    if (r.ok) {
      setTested(r.value)
      setError(null)
    } else setError(farmErrorText(r.error, t))
  }

  const connect = async () => {
    setBusy('connect')
    setTested(null)
    const r = await call('farm/connect', { queueUrl: url.trim() }, { quiet: true })
    setBusy(null)
    if (!r.ok) return setError(farmErrorText(r.error, t))
    setConnection(r.value)
    // The password leaves the form: it is kept with the keys now.
    setUrl(r.value.queueUrl ?? '')
    setError(null)
    await refresh()
  }

  const disconnect = async () => {
    setBusy('disconnect')
    const r = await call('farm/disconnect', {}, { quiet: true })
    setBusy(null)
    if (!r.ok) return setError(farmErrorText(r.error, t))
    setConnection(r.value)
    setStatus(null)
    setTested(null)
    setError(null)
  }

  const connected = Boolean(connection?.queueUrl)
  return (
    <section className="panel settings-section" data-testid="settings-farm">
      <h3>{t('farm.title')}</h3>
      <p className="muted small">{t('farm.hint')}</p>
      {unavailable ? <Unavailable message={unavailable} /> : null}
      {/* `studio serve --queue-url` put this window on a farm: connecting here would change nothing it shows. */}
      {byFlag ? (
        <p className="small" data-testid="farm-by-flag">
          {t('farmQueue.status', { url: byFlag })} — {t('farmQueue.byFlag')}
        </p>
      ) : null}
      <p className="small" data-testid="farm-connection">
        {connected && connection ? (
          <>
            <Icon name="check" size={12} /> {t('farm.connectedTo', { url: maskedUrl(connection) })}
          </>
        ) : (
          t('farm.local')
        )}
      </p>
      <Field label={t('farm.queueUrl')} htmlFor="farm-url" hint={t('farm.queueUrlHint')}>
        <input
          id="farm-url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="postgres://studio:password@farm-db.lan:5432/studio"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={Boolean(error)}
          data-testid="farm-url"
        />
        <FieldError error={error?.text ?? null} testId="farm-error" />
        {error?.detail ? (
          <p className="muted small" data-testid="farm-error-detail">
            {error.detail}
          </p>
        ) : null}
      </Field>
      <div className="inline-form">
        <Button icon="bolt" onClick={() => void test()} disabled={busy !== null || (!url.trim() && !connected)} testId="farm-test">
          {busy === 'test' ? t('settings.testing') : t('farm.test')}
        </Button>
        <Button kind="primary" onClick={() => void connect()} disabled={busy !== null || !url.trim()} testId="farm-connect">
          {busy === 'connect' ? t('farm.connecting') : connected ? t('farm.reconnect') : t('farm.connect')}
        </Button>
        {connected ? (
          <>
            <Button icon="retry" onClick={() => void refresh()} disabled={busy !== null} testId="farm-refresh">
              {t('farm.refresh')}
            </Button>
            <Button onClick={() => void disconnect()} disabled={busy !== null} testId="farm-disconnect">
              {t('farm.disconnect')}
            </Button>
          </>
        ) : null}
      </div>
      {tested ? <TestResult result={tested} /> : null}
      <FarmSharedDir connection={connection} onSaved={setConnection} />
      {status ? <FarmStatus status={status} /> : null}
    </section>
  )
}

function TestResult({ result }: { result: FarmTestResult }) {
  const t = useT()
  const version = result.schemaVersion
  const line =
    version === null
      ? t('farm.test.notInitialised', { ms: result.ms })
      : version === result.knownVersion
        ? t('farm.test.ok', { ms: result.ms, version })
        : version > result.knownVersion
          ? t('farm.test.newer', { ms: result.ms, version, known: result.knownVersion })
          : t('farm.test.older', { ms: result.ms, version, known: result.knownVersion })
  const good = version === result.knownVersion
  return (
    <p className={`small ${good ? 'ok' : 'bad'}`} role="status" data-testid="farm-test-result">
      <Icon name={good ? 'check' : 'alert'} size={12} /> {line}
    </p>
  )
}

const QUEUE_ORDER = ['pending', 'processing', 'paused', 'completed', 'failed', 'cancelled'] as const

function FarmStatus({ status }: { status: FarmStatusView }) {
  const t = useT()
  const alive = status.workers.filter((w) => w.alive).length
  return (
    <div className="farm-status" data-testid="farm-status">
      <p className="small" data-testid="farm-workers-summary">
        {t.plural('farm.workersAlive', alive, { total: t.number(status.workers.length) })}
      </p>
      {status.workers.length ? (
        <table className="grid-table" data-testid="farm-workers">
          <thead>
            <tr>
              <th>{t('farm.machine')}</th>
              <th>{t('farm.state')}</th>
              <th>{t('farm.canRun')}</th>
              <th>{t('farm.running')}</th>
            </tr>
          </thead>
          <tbody>
            {status.workers.map((w) => (
              <WorkerRow key={w.id} worker={w} />
            ))}
          </tbody>
        </table>
      ) : null}
      <p className="small" data-testid="farm-queue">
        {t('farm.queue')}{' '}
        {QUEUE_ORDER.map((s) => `${t(`status.${s}` as MessageKey)} ${t.number(status.queue[s])}`).join(' · ')}
      </p>
      {status.limits?.length ? (
        <p className="small" data-testid="farm-limits">
          {t('farm.limits')}{' '}
          {status.limits
            .map((l) => t(l.minIntervalMs > 0 ? 'farm.limitSpaced' : 'farm.limit', { resource: l.resource, count: t.number(l.concurrency), interval: formatMs(l.minIntervalMs), running: t.number(l.running) }))
            .join(' · ')}
        </p>
      ) : null}
      {status.unrunnable.map((u) => (
        <p key={u.needs.join(',')} className="small bad" data-testid="farm-unrunnable">
          <Icon name="alert" size={12} /> {t.plural('farm.unrunnable', u.jobs, { needs: u.needs.join(', ') })}
        </p>
      ))}
    </div>
  )
}

function WorkerRow({ worker: w }: { worker: FarmWorkerView }) {
  const t = useT()
  const state = !w.alive ? t('farm.state.gone', { s: t.number(Math.round(w.lastSeenMsAgo / 1000)) }) : w.stopping ? t('farm.state.stopping') : t('farm.state.alive')
  return (
    <tr data-testid="farm-worker">
      <td>
        <strong>{w.host}</strong> <span className="muted small mono">{w.id}</span>
      </td>
      <td>{state}</td>
      <td className="small">{w.has.join(', ') || '—'}</td>
      <td className="small">{w.running.length ? w.running.map((r) => `${r.title || r.jobId}${r.step ? ` [${r.step}]` : ''}`).join(', ') : t('farm.idle')}</td>
    </tr>
  )
}
