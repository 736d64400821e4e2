import { useState } from 'react'
import { useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio } from '../../store'
import { Button, Field } from '../common/controls'
import { Icon } from '../common/Icon'

/**
 * A write-only key for a provider kind: sent once to main's key store, never read back. Disabled
 * until a server is saved, since a key belongs to the server it was entered for.
 */
export function KeyField({ kind, hasKey, enabled, hint }: { kind: 'text' | 'image' | 'speech' | 'stock'; hasKey: boolean; enabled: boolean; hint?: string }) {
  const t = useT()
  const call = useCall()
  const [key, setKey] = useState('')
  const store = async () => {
    // Cleared before the call: the secret must not sit in the form while main answers.
    const secret = key
    setKey('')
    const r = await call('settings/setApiKey', { kind, key: secret })
    if (r.ok) {
      const fresh = await call('settings/get', {}, { quiet: true })
      if (fresh.ok) getStudio().setSettings(fresh.value)
      getStudio().notify('success', t('settings.keyStoredNotice'))
    }
  }
  return (
    <div className="key-part">
      <Field label={t('settings.apiKey')} htmlFor={`key-${kind}`} hint={enabled ? (hint ?? t('settings.apiKeyHint')) : t('settings.keyNeedsServer')}>
        <div className="inline-form">
          <input
            id={`key-${kind}`}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            onKeyDown={(e) => {
              // Enter stores the key (the field sits in a provider's form, which saves as you go).
              if (e.key !== 'Enter') return
              e.preventDefault()
              if (key && enabled) void store()
            }}
            placeholder={hasKey ? '••••••••' : ''}
            disabled={!enabled}
            data-testid="provider-key"
          />
          <Button onClick={() => void store()} disabled={!key || !enabled} testId="provider-key-save">
            {t('settings.storeKey')}
          </Button>
        </div>
      </Field>
      <p className={`small ${hasKey ? 'ok' : 'muted'}`} data-testid="key-state">
        {hasKey ? (
          <>
            <Icon name="check" size={12} /> {t('settings.keyStored')}
          </>
        ) : (
          t('settings.noKey')
        )}
      </p>
    </div>
  )
}
