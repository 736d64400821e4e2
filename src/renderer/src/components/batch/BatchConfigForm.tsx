import { useState } from 'react'
import { useCall } from '../../api/context'
import type { Translator } from '../../i18n'
import { en, type MessageKey } from '../../i18n/en'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import { Button, Field } from '../common/controls'

/** Seed 3's pipeline configuration, as the form edits it. */
export interface BatchFormConfig {
  pipeline: string
  selective: string
  adversarial: string
  humanSimulation: string
  patternBreaking: string
  intensity: number
  rowStart: string
  rowEnd: string
  saveIntermediateSteps: boolean
}

export const SELECTIVE = ['lightEnhancement', 'standardEnhancement', 'fullEnhancement', 'personalityFocus', 'fluidityFocus']
export const ADVERSARIAL = ['none', 'light', 'standard', 'heavy', 'adaptive']
export const HUMAN = ['none', 'lightSimulation', 'personalityFocus', 'adaptive']
export const PATTERN = ['none', 'syntaxFocus', 'connectorsFocus', 'adaptive']

type Choice = 'selective' | 'adversarial' | 'humanSimulation' | 'patternBreaking'

/** A label from the messages when there is one; the stored value otherwise (an unknown value from an older saved config, a custom pipeline). */
function labelOr(t: Translator, key: string, fallback: string): string {
  return key in en ? t(key as MessageKey) : fallback
}

/** Seed 3's values are identifiers (`lightEnhancement`); people read a translated label. */
export function optionLabel(t: Translator, choice: Choice, value: string): string {
  return labelOr(t, `batch.opt.${choice}.${value}`, value)
}

/** Built-in pipelines have translated names; any other shows the engine's title. */
export function pipelineLabel(t: Translator, name: string, title: string | undefined): string {
  return labelOr(t, `batch.pipeline.${name}`, title ?? name)
}

export const DEFAULT_FORM: BatchFormConfig = {
  pipeline: 'video',
  selective: 'standardEnhancement',
  adversarial: 'none',
  humanSimulation: 'none',
  patternBreaking: 'none',
  intensity: 1,
  rowStart: '',
  rowEnd: '',
  saveIntermediateSteps: false
}

/** The contract's `config` record (main validates it and names any bad field). */
export function toConfig(f: BatchFormConfig, mapping?: Record<string, string | null>): Record<string, unknown> {
  const config: Record<string, unknown> = {
    pipeline: f.pipeline,
    selective: f.selective,
    adversarial: f.adversarial,
    humanSimulation: f.humanSimulation,
    patternBreaking: f.patternBreaking,
    intensity: f.intensity,
    saveIntermediateSteps: f.saveIntermediateSteps
  }
  if (f.rowStart.trim()) {
    config.rowRange = { start: Number(f.rowStart), ...(f.rowEnd.trim() ? { end: Number(f.rowEnd) } : {}) }
  }
  if (mapping && Object.keys(mapping).length) config.mapping = mapping
  return config
}

export function fromConfig(c: Record<string, unknown>): BatchFormConfig {
  const range = c.rowRange as { start?: number; end?: number } | undefined
  const str = (v: unknown, d: string) => (typeof v === 'string' ? v : d)
  return {
    pipeline: str(c.pipeline, DEFAULT_FORM.pipeline),
    selective: str(c.selective, DEFAULT_FORM.selective),
    adversarial: str(c.adversarial, DEFAULT_FORM.adversarial),
    humanSimulation: str(c.humanSimulation, DEFAULT_FORM.humanSimulation),
    patternBreaking: str(c.patternBreaking, DEFAULT_FORM.patternBreaking),
    intensity: typeof c.intensity === 'number' ? c.intensity : 1,
    rowStart: range?.start !== undefined ? String(range.start) : '',
    rowEnd: range?.end !== undefined ? String(range.end) : '',
    saveIntermediateSteps: c.saveIntermediateSteps === true
  }
}

export function BatchConfigForm({ value, onChange }: { value: BatchFormConfig; onChange: (v: BatchFormConfig) => void }) {
  const t = useT()
  const call = useCall()
  const pipelines = useStudio((s) => s.pipelines)
  const saved = useStudio((s) => s.batchConfigs)
  const [name, setName] = useState('')
  const set = <K extends keyof BatchFormConfig>(k: K, v: BatchFormConfig[K]) => onChange({ ...value, [k]: v })
  const select = (key: Choice, options: string[]) => (
    <Field label={t(`batch.cfg.${key}`)} htmlFor={`cfg-${key}`} hint={t(`batch.help.${key}`)}>
      <select id={`cfg-${key}`} value={value[key]} onChange={(e) => set(key, e.target.value)} data-testid={`cfg-${key}`}>
        {options.map((o) => (
          <option key={o} value={o}>
            {optionLabel(t, key, o)}
          </option>
        ))}
      </select>
    </Field>
  )

  const save = async () => {
    const r = await call('batch/configs/save', { name: name.trim(), config: toConfig(value) })
    if (r.ok) {
      const list = await call('batch/configs/list', {}, { quiet: true })
      if (list.ok) getStudio().setBatchConfigs(list.value)
      getStudio().notify('success', t('batch.cfg.savedNotice', { name: name.trim() }))
    }
  }

  return (
    <fieldset className="config-form">
      <legend>{t('batch.cfg.title')}</legend>
      <div className="row-fields">
        <Field label={t('batch.cfg.savedList')} htmlFor="cfg-load">
          <select
            id="cfg-load"
            value=""
            onChange={(e) => {
              const c = saved.find((s) => s.name === e.target.value)
              if (c) {
                onChange(fromConfig(c.config))
                setName(c.name)
              }
            }}
          >
            <option value="">{saved.length ? t('batch.cfg.load') : t('batch.cfg.none')}</option>
            {saved.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('batch.cfg.pipeline')} htmlFor="cfg-pipeline">
          <select id="cfg-pipeline" value={value.pipeline} onChange={(e) => set('pipeline', e.target.value)} data-testid="cfg-pipeline">
            {[...new Set([value.pipeline, ...pipelines.map((p) => p.name)])].map((p) => (
              <option key={p} value={p}>
                {pipelineLabel(t, p, pipelines.find((x) => x.name === p)?.title)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div className="row-fields">
        {select('selective', SELECTIVE)}
        {select('adversarial', ADVERSARIAL)}
      </div>
      <div className="row-fields">
        {select('humanSimulation', HUMAN)}
        {select('patternBreaking', PATTERN)}
      </div>
      <Field label={t('batch.cfg.intensity')} htmlFor="cfg-intensity">
        <div className="slider">
          <input
            id="cfg-intensity"
            type="range"
            min={0.5}
            max={1.5}
            step={0.05}
            value={value.intensity}
            onChange={(e) => set('intensity', Number(e.target.value))}
            data-testid="cfg-intensity"
          />
          <output htmlFor="cfg-intensity">{t.number(value.intensity, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}</output>
        </div>
      </Field>
      <div className="row-fields">
        <Field label={t('batch.cfg.rowStart')} htmlFor="cfg-start" hint={t('batch.cfg.rowHint')}>
          <input id="cfg-start" type="number" min={2} value={value.rowStart} onChange={(e) => set('rowStart', e.target.value)} data-testid="cfg-row-start" />
        </Field>
        <Field label={t('batch.cfg.rowEnd')} htmlFor="cfg-end">
          <input id="cfg-end" type="number" min={2} value={value.rowEnd} onChange={(e) => set('rowEnd', e.target.value)} data-testid="cfg-row-end" />
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={value.saveIntermediateSteps} onChange={(e) => set('saveIntermediateSteps', e.target.checked)} />
        {t('batch.cfg.saveIntermediate')}
      </label>
      <div className="inline-form">
        <input aria-label={t('batch.cfg.name')} placeholder={t('batch.cfg.name')} value={name} onChange={(e) => setName(e.target.value)} maxLength={64} />
        <Button onClick={() => void save()} disabled={!name.trim()}>
          {t('batch.cfg.save')}
        </Button>
      </div>
    </fieldset>
  )
}
