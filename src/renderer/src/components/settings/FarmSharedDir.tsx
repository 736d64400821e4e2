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
 * (main owns dialogs); in a browser it is typed. Like every setting it is saved as you go: when a
 * folder is chosen, when Enter is pressed, and when the field is left changed. The engine checks it
 * first (it exists, takes writes, and is this farm's: an empty mount point is refused), and each
 * refusal is worded under the field; it is not saved until it passes.
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
      void save(r.value.path)
    }
  }

  const save = async (value: string) => {
    setBusy(true)
    setSaved(false)
    const r = await call('farm/setSharedDir', { sharedDir: value.trim() || null }, { quiet: true })
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
          onBlur={() => {
            if (!busy && dir.trim() !== (stored ?? '')) void save(dir)
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !busy) void save(dir)
          }}
          aria-busy={busy}
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
      </div>
      {busy ? (
        <p className="muted small" role="status" data-testid="farm-shared-dir-checking">
          {t('farmShare.checking')}
        </p>
      ) : null}
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
