import { useEffect, useState } from 'react'
import type { FarmConnectionView } from '../../../../shared/farm'
import { useCall } from '../../api/context'
import { errorText } from '../../api/error-text'
import { useT } from '../../i18n/use-t'
import { useStudio } from '../../store'
import { Button, Field } from '../common/controls'
import { inDesktopApp } from '../projects/export-files'
import { FieldError } from './FieldError'

/**
 * Settings → "Studio farm" → "Shared folder on this computer": where this computer mounts the
 * farm's shared folder, when the studio's own data folder is not it. The window reads the farm's
 * results (and plays its videos) from there. In the desktop app a folder dialog fills the field
 * (main owns dialogs); in a browser it is typed. The engine checks it when saved: it exists, takes
 * writes, and is this farm's (an empty mount point is refused), each refusal worded here.
 */
export function FarmSharedDir({ connection, onSaved }: { connection: FarmConnectionView | null; onSaved: (view: FarmConnectionView) => void }) {
  const t = useT()
  const call = useCall()
  const reading = useStudio((s) => (s.farmQueue.queueUrl ? (s.farmQueue.sharedDir ?? null) : null))
  const [dir, setDir] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [saved, setSaved] = useState(false)
  const stored = connection?.sharedDir ?? null

  useEffect(() => setDir(stored ?? ''), [stored])

  const pick = async () => {
    const r = await call('system/pickFolder', { title: t('farmShare.label') }, { quiet: true })
    if (r.ok && r.value.path) {
      setDir(r.value.path)
      setSaved(false)
    }
  }

  const save = async () => {
    setBusy(true)
    setSaved(false)
    const r = await call('farm/setSharedDir', { sharedDir: dir.trim() || null }, { quiet: true })
    setBusy(false)
    if (!r.ok) return setError(errorText(r.error, t.locale))
    setError(null)
    setSaved(true)
    onSaved(r.value)
  }

  return (
    <Field label={t('farmShare.label')} htmlFor="farm-shared-dir" hint={t('farmShare.hint')}>
      <div className="inline-form">
        <input
          id="farm-shared-dir"
          value={dir}
          onChange={(e) => {
            setDir(e.target.value)
            setSaved(false)
          }}
          placeholder={t('farmShare.placeholder')}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={Boolean(error)}
          data-testid="farm-shared-dir"
        />
        {inDesktopApp() ? (
          <Button onClick={() => void pick()} disabled={busy} testId="farm-shared-dir-pick">
            {t('farmShare.choose')}
          </Button>
        ) : null}
        <Button kind="primary" onClick={() => void save()} disabled={busy || dir.trim() === (stored ?? '')} testId="farm-shared-dir-save">
          {busy ? t('farmShare.checking') : t('farmShare.save')}
        </Button>
      </div>
      <FieldError error={error} testId="farm-shared-dir-error" />
      {saved ? (
        <p className="small ok" role="status" data-testid="farm-shared-dir-saved">
          {stored ? t('farmShare.saved', { dir: stored }) : t('farmShare.cleared')}
        </p>
      ) : null}
      {reading ? (
        <p className="muted small" data-testid="farm-shared-dir-reading">
          {t('farmShare.reading', { dir: reading })}
        </p>
      ) : null}
    </Field>
  )
}
