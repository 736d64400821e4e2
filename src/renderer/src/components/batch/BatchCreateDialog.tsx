import { useEffect, useState } from 'react'
import type { BatchPreview } from '../../../../shared/types'
import { useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import type { DroppedSheet } from '../../store/types'
import { Button, Field } from '../common/controls'
import { Modal } from '../common/Modal'
import { primaryField } from '../queue/NewJobDialog'
import { BatchEstimateLine } from './BatchEstimateLine'
import { BatchConfigForm, DEFAULT_FORM, toConfig, type BatchFormConfig } from './BatchConfigForm'
import { errorText } from '../../api/error-text'

const MAIN_FIELDS = new Set(['idea', 'prompt', 'text', 'mood'])

/** The field a pipeline reads its main text from (the sheet's idea/topic/prompt column feeds it). */
export function mainFieldOf(pipeline: string): string {
  return primaryField(pipeline)
}

/** Move the main-text column to the chosen pipeline's main field ("idea" for video, "prompt" for text…). */
export function remapMain(mapping: Record<string, string | null>, pipeline: string): Record<string, string | null> {
  const main = mainFieldOf(pipeline)
  const current = Object.keys(mapping).find((k) => MAIN_FIELDS.has(k) && mapping[k])
  if (!current || current === main) return mapping
  const next: Record<string, string | null> = { [main]: mapping[current]! }
  for (const [k, v] of Object.entries(mapping)) if (k !== current && k !== main) next[k] = v
  return next
}

/** Only what differs from the preview's automatic mapping is sent (fields dropped become null). */
export function mappingChanges(auto: Record<string, string | null>, mapping: Record<string, string | null>): Record<string, string | null> {
  const changes: Record<string, string | null> = {}
  for (const k of Object.keys(auto)) if (!(k in mapping) && auto[k] !== null) changes[k] = null
  for (const [k, v] of Object.entries(mapping)) if (auto[k] !== v) changes[k] = v
  return changes
}

/**
 * A dropped CSV/XLSX becomes a batch: `batch/preview` shows its headers, a few rows and how the
 * columns map to the pipeline's fields; the user adjusts mapping and configuration; `batch/create`.
 */
export function BatchCreateDialog({ sheet, projectId: droppedOn }: { sheet: DroppedSheet; /** The open project the sheet was dropped on. */ projectId?: string }) {
  const t = useT()
  const call = useCall()
  const projects = useStudio((s) => s.projects)
  const [preview, setPreview] = useState<BatchPreview | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [sheetName, setSheetName] = useState<string | undefined>(undefined)
  const [mapping, setMapping] = useState<Record<string, string | null>>({})
  const [form, setForm] = useState<BatchFormConfig>(DEFAULT_FORM)
  const [name, setName] = useState(sheet.name.replace(/\.[^.]+$/, ''))
  const [projectId, setProjectId] = useState(droppedOn ?? '')
  const [busy, setBusy] = useState(false)
  const close = () => getStudio().setDroppedSheet(null)
  const source = { kind: 'upload' as const, name: sheet.name, contentBase64: sheet.contentBase64 }
  useEffect(() => setMapping((m) => remapMain(m, form.pipeline)), [form.pipeline])

  useEffect(() => {
    let live = true
    setError(null)
    void call('batch/preview', { source, ...(sheetName ? { sheet: sheetName } : {}) }, { quiet: true }).then((r) => {
      if (!live) return
      if (r.ok) {
        setPreview(r.value)
        setMapping(remapMain(r.value.mapping, form.pipeline))
      } else setError(errorText(r.error, t.locale))
    })
    return () => {
      live = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sheet, sheetName, call])

  const create = async (start: boolean) => {
    setBusy(true)
    setError(null)
    const changed = preview ? mappingChanges(preview.mapping, mapping) : {}
    const r = await call(
      'batch/create',
      {
        source,
        ...(sheetName ? { sheet: sheetName } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(projectId ? { projectId } : {}),
        config: toConfig(form, changed),
        start
      },
      { quiet: true }
    )
    setBusy(false)
    if (!r.ok) {
      setError(errorText(r.error, t.locale))
      return
    }
    const s = getStudio()
    s.upsertBatch(r.value)
    s.selectBatch(r.value.id)
    s.setView('batches')
    s.notify('success', start ? t('batch.started', { name: r.value.name }) : t('batch.created', { name: r.value.name }))
    close()
  }

  return (
    <Modal
      title={t('batch.createTitle', { name: sheet.name })}
      onClose={close}
      wide
      testId="batch-create"
      footer={
        <>
          {preview ? <BatchEstimateLine source={source} sheet={sheetName} config={toConfig(form, mappingChanges(preview.mapping, mapping))} /> : null}
          <Button onClick={close}>{t('common.cancel')}</Button>
          <Button onClick={() => void create(false)} disabled={busy || !preview}>
            {t('batch.createIdle')}
          </Button>
          <Button kind="primary" icon="play" onClick={() => void create(true)} disabled={busy || !preview} testId="batch-create-start">
            {t('batch.createStart')}
          </Button>
        </>
      }
    >
      {error ? (
        <p className="form-error" role="alert" data-testid="form-error">
          {error}
        </p>
      ) : null}
      {!preview && !error ? <p className="muted">{t('common.loading')}</p> : null}
      {preview ? (
        <div className="batch-create">
          <section>
            <p className="muted small">
              {t('batch.previewInfo', {
                format: preview.format,
                encoding: preview.encoding ?? '—',
                delimiter: preview.delimiter === '\t' ? 'TAB' : (preview.delimiter ?? '—'),
                n: preview.headers.length
              })}
            </p>
            {preview.sheets.length > 1 ? (
              <Field label={t('batch.sheet')} htmlFor="bc-sheet">
                <select id="bc-sheet" value={sheetName ?? preview.sheets[0]} onChange={(e) => setSheetName(e.target.value)}>
                  {preview.sheets.map((s) => (
                    <option key={s}>{s}</option>
                  ))}
                </select>
              </Field>
            ) : null}
            <div className="table-scroll">
              <table className="grid-table" data-testid="batch-preview">
                <thead>
                  <tr>
                    <th>#</th>
                    {preview.headers.map((h) => (
                      <th key={h}>{h}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.sampleRows.map((row) => (
                    <tr key={row.rowNumber}>
                      <td className="muted">{row.rowNumber}</td>
                      {preview.headers.map((h) => (
                        <td key={h} title={row.values[h]}>
                          {row.values[h]}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h3>{t('batch.mapping')}</h3>
            <table className="kv mapping" data-testid="batch-mapping">
              <tbody>
                {Object.entries(mapping).map(([field, column]) => (
                  <tr key={field}>
                    <th scope="row">{field}</th>
                    <td>
                      <select aria-label={t('batch.columnFor', { field })} value={column ?? ''} onChange={(e) => setMapping({ ...mapping, [field]: e.target.value || null })}>
                        <option value="">{t('batch.ignore')}</option>
                        {preview.headers.map((h) => (
                          <option key={h} value={h}>
                            {h}
                          </option>
                        ))}
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section>
            <div className="row-fields">
              <Field label={t('batch.name')} htmlFor="bc-name">
                <input id="bc-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} data-testid="batch-name" />
              </Field>
              <Field label={t('newJob.project')} htmlFor="bc-project">
                <select id="bc-project" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
                  <option value="">{t('batch.newProject')}</option>
                  {projects.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              </Field>
            </div>
            <BatchConfigForm value={form} onChange={setForm} />
          </section>
        </div>
      ) : null}
    </Modal>
  )
}
