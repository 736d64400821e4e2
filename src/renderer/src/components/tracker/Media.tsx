import { useEffect, useState } from 'react'
import type { JsonValue } from '../../../../shared/types'
import { getTransport } from '../../api/bridge'
import { useApi, useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { IconButton } from '../common/controls'
import { fileName, mediaKind } from '../common/format'

/**
 * Only the desktop app has a file manager on the same computer as the files; a browser showing
 * `studio serve` may be on another one. (Without the preload it is the browser: asking the
 * bridge then would open a connection of its own.)
 */
export function inDesktopApp(): boolean {
  return window.api !== undefined && getTransport().kind === 'electron'
}

/** An artifact file shown the way its kind is meant to be: image, player, or text. */
export function MediaFile({ path, label }: { path: string; label?: string }) {
  const api = useApi()
  const call = useCall()
  const t = useT()
  const url = api.fileUrl(path)
  const kind = mediaKind(path)
  const name = label ?? fileName(path)
  const reveal = () => void call('system/reveal', { path })
  return (
    <figure className={`media media-${kind}`} data-testid={`media-${kind}`}>
      {kind === 'image' ? <img src={url} alt={name} loading="lazy" /> : null}
      {kind === 'audio' ? <audio src={url} controls preload="metadata" aria-label={name} /> : null}
      {kind === 'video' ? <video src={url} controls preload="metadata" aria-label={name} /> : null}
      {kind === 'text' ? <TextFile url={url} /> : null}
      {inDesktopApp() ? (
        // The window refuses to open new windows, so a target=_blank link would do nothing here.
        <figcaption>
          <button type="button" className="link" onClick={reveal} title={`${t('detail.showInFolder')} — ${path}`} data-testid="media-name">
            {name}
          </button>{' '}
          <IconButton icon="projects" label={t('detail.showInFolder')} onClick={reveal} testId="media-reveal" />
        </figcaption>
      ) : (
        <figcaption>
          <a href={url} target="_blank" rel="noreferrer noopener" title={path} data-testid="media-name">
            {name}
          </a>
          {kind === 'other' ? <span className="muted small"> · {t('detail.download')}</span> : null}
        </figcaption>
      )}
    </figure>
  )
}

function TextFile({ url }: { url: string }) {
  const [text, setText] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    fetch(url, { cache: 'no-store' })
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
      .then((body) => live && setText(body.length > 20_000 ? body.slice(0, 20_000) + '\n…' : body))
      .catch(() => live && setText(null))
    return () => {
      live = false
    }
  }, [url])
  if (text === null) return null
  return <pre className="text-output">{text}</pre>
}

/** A step's data: text fields shown as text, the rest as compact JSON. */
export function OutputView({ output }: { output: JsonValue | null }) {
  if (output === null || output === undefined) return null
  if (typeof output === 'string') return <pre className="text-output">{output}</pre>
  if (typeof output !== 'object' || Array.isArray(output)) return <pre className="json-output">{JSON.stringify(output, null, 2)}</pre>
  const texts: [string, string][] = []
  const rest: Record<string, JsonValue> = {}
  for (const [k, v] of Object.entries(output)) {
    if (typeof v === 'string' && (v.length > 60 || /\n/.test(v) || ['text', 'script', 'adapted', 'caption', 'summary'].includes(k))) texts.push([k, v])
    else rest[k] = v
  }
  return (
    <div className="output">
      {texts.map(([k, v]) => (
        <div key={k}>
          <div className="output-key">{k}</div>
          <pre className="text-output">{v}</pre>
        </div>
      ))}
      {Object.keys(rest).length ? <pre className="json-output">{JSON.stringify(rest, null, 2)}</pre> : null}
    </div>
  )
}
