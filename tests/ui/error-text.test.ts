import { describe, expect, it } from 'vitest'
import { errorText } from '../../src/renderer/src/api/error-text'

describe('refusals in the user’s language', () => {
  const refused = { code: 'processing', message: 'job is being processed; it cannot be moved until it finishes, is paused or is cancelled' }

  it('in French, leads with a French sentence for the code and keeps the engine’s words as detail', () => {
    expect(errorText(refused, 'fr')).toBe(
      `Ce travail est en cours de traitement\u00a0: attendez qu’il se termine, ou mettez-le en pause ou annulez-le d’abord. (${refused.message})`
    )
  })

  it('in English, the engine’s precise message as it is; an unknown code keeps the message too', () => {
    expect(errorText(refused, 'en')).toBe(refused.message)
    expect(errorText({ code: 'something_new', message: 'details' }, 'fr')).toBe('details')
  })
})
