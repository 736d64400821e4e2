import type { MessageKey } from '../i18n'
import { useT } from '../i18n/use-t'
import { getStudio } from '../store'
import { Modal } from './common/Modal'

export const SHORTCUTS: [string, MessageKey][] = [
  ['↑ / ↓', 'shortcuts.select'],
  ['Alt + ↑ / ↓', 'shortcuts.move'],
  ['Home / End', 'shortcuts.topBottom'],
  ['[ / ]', 'shortcuts.priority'],
  ['Space', 'shortcuts.pause'],
  ['C', 'shortcuts.cancel'],
  ['R', 'shortcuts.retry'],
  ['Del', 'shortcuts.remove'],
  ['Enter', 'shortcuts.open'],
  ['N', 'shortcuts.new'],
  ['Q', 'shortcuts.dock'],
  ['Ctrl + 1…6', 'shortcuts.views'],
  ['?', 'shortcuts.help']
]

export function ShortcutsDialog() {
  const t = useT()
  return (
    <Modal title={t('shortcuts.title')} onClose={() => getStudio().setShortcutsOpen(false)} testId="shortcuts">
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, label]) => (
            <tr key={keys}>
              <th scope="row">
                {keys.split(' ').map((k, i) => (k === '+' || k === '/' ? <span key={i}> {k} </span> : <kbd key={i}>{k}</kbd>))}
              </th>
              <td>{t(label)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  )
}
