import { useEffect, useId, useRef } from 'react'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import type { ConfirmRequest } from '../../store/types'

/**
 * The app's own yes/no question, instead of the browser's `confirm` (which blocks the page, cannot
 * be styled or translated, and looks like a phishing prompt). Ask with `getStudio().ask(...)`;
 * mounted once at the root. Keyboard: Enter confirms, Escape cancels, Tab stays inside, focus
 * goes back where it was.
 */
export function ConfirmHost() {
  const request = useStudio((s) => s.confirmation)
  return request ? <ConfirmDialog key={request.id} request={request} /> : null
}

function ConfirmDialog({ request }: { request: ConfirmRequest }) {
  const t = useT()
  const titleId = useId()
  const messageId = useId()
  const ref = useRef<HTMLDivElement>(null)
  const confirmRef = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null
    confirmRef.current?.focus()
    return () => previous?.focus?.()
  }, [])
  const answer = (ok: boolean) => getStudio().answer(ok)
  const onKeyDown = (e: React.KeyboardEvent) => {
    // Handled here, not by the page's shortcuts (Delete, c…) behind the dialog.
    e.stopPropagation()
    if (e.key === 'Escape') {
      e.preventDefault()
      answer(false)
    } else if (e.key === 'Enter') {
      e.preventDefault()
      // Enter on the focused Cancel button means Cancel; anywhere else it confirms.
      answer(!(e.target as HTMLElement).matches('[data-answer="cancel"]'))
    } else if (e.key === 'Tab' && ref.current) {
      const buttons = [...ref.current.querySelectorAll<HTMLElement>('button')]
      const first = buttons[0]!
      const last = buttons[buttons.length - 1]!
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault()
        last.focus()
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault()
        first.focus()
      } else if (!ref.current.contains(document.activeElement)) {
        e.preventDefault()
        first.focus()
      }
    }
  }
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && answer(false)}>
      <div
        ref={ref}
        className="modal confirm-dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={messageId}
        onKeyDown={onKeyDown}
        data-testid="confirm-dialog"
      >
        <header className="modal-header">
          <h2 id={titleId}>{request.title}</h2>
        </header>
        <div className="modal-body">
          <p id={messageId}>{request.message}</p>
        </div>
        <footer className="modal-footer">
          <button type="button" className="button button-default" data-answer="cancel" onClick={() => answer(false)} data-testid="confirm-cancel">
            {request.cancelLabel ?? t('common.cancel')}
          </button>
          <button
            ref={confirmRef}
            type="button"
            className={`button ${request.danger ? "button-danger" : "button-primary"}`}
            onClick={() => answer(true)}
            data-testid="confirm-ok"
          >
            {request.confirmLabel}
          </button>
        </footer>
      </div>
    </div>
  )
}
