import { useEffect, useId, useRef, type ReactNode } from 'react'
import { useT } from '../../i18n/use-t'
import { IconButton } from './controls'

/**
 * The open dialogs, innermost last. Escape closes the innermost one wherever the focus is: after
 * a refused submit the pressed button is disabled for the call and the browser drops the focus to
 * the page, out of the dialog, where the dialog's own key handler would never hear Escape.
 */
const openDialogs: { current: () => void }[] = []

function onDocumentEscape(e: KeyboardEvent): void {
  if (e.key !== 'Escape' || e.defaultPrevented) return
  const top = openDialogs.at(-1)
  if (!top) return
  e.preventDefault()
  top.current()
}

/** A modal dialog: labelled, Escape closes, focus moves in and back, Tab stays inside. */
export function Modal({
  title,
  onClose,
  children,
  footer,
  wide,
  testId
}: {
  title: string
  onClose: () => void
  children: ReactNode
  footer?: ReactNode
  wide?: boolean
  testId?: string
}) {
  const t = useT()
  const id = useId()
  const ref = useRef<HTMLDivElement>(null)
  const close = useRef(onClose)
  close.current = onClose
  useEffect(() => {
    openDialogs.push(close)
    if (openDialogs.length === 1) document.addEventListener('keydown', onDocumentEscape)
    return () => {
      openDialogs.splice(openDialogs.indexOf(close), 1)
      if (openDialogs.length === 0) document.removeEventListener('keydown', onDocumentEscape)
    }
  }, [])
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null
    const first = ref.current?.querySelector<HTMLElement>('input, textarea, select, button:not(.modal-close)')
    first?.focus()
    return () => previous?.focus?.()
  }, [])
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      // The document's listener closes the innermost dialog; this one is not heard twice.
      e.stopPropagation()
      e.nativeEvent.stopImmediatePropagation()
      onClose()
    } else if (e.key === 'Tab' && ref.current) {
      const focusable = [...ref.current.querySelectorAll<HTMLElement>('button, input, textarea, select, a[href], [tabindex="0"]')].filter(
        (el) => !el.hasAttribute('disabled')
      )
      if (focusable.length === 0) return
      const first = focusable[0]!
      const last = focusable[focusable.length - 1]!
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault()
        last.focus()
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault()
        first.focus()
      }
    }
  }
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        className={`modal${wide ? ' modal-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={id}
        onKeyDown={onKeyDown}
        data-testid={testId}
      >
        <header className="modal-header">
          <h2 id={id}>{title}</h2>
          <IconButton icon="close" label={t('common.close')} onClick={onClose} className="modal-close" />
        </header>
        <div className="modal-body">{children}</div>
        {footer ? <footer className="modal-footer">{footer}</footer> : null}
      </div>
    </div>
  )
}
