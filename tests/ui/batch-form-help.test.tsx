// @vitest-environment jsdom
import { render, screen } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { BatchConfigForm, DEFAULT_FORM } from '../../src/renderer/src/components/batch/BatchConfigForm'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

const hintOf = (id: string) => screen.getByTestId(id).closest('.field')!.querySelector('.hint')?.textContent ?? ''

describe('the batch form explains the seed-3 text options', () => {
  for (const [locale, words] of [
    ['en', { selective: /enhancements/, adversarial: /machine-written/, humanSimulation: /person talking/, patternBreaking: /questions/ }],
    ['fr', { selective: /améliorations/, adversarial: /automatique/, humanSimulation: /personne qui parle/, patternBreaking: /questions/ }]
  ] as const) {
    it(`one sentence under each option, in ${locale}`, () => {
      getStudio().setLocale(locale)
      render(
        <ApiProvider api={fakeApi().api}>
          <BatchConfigForm value={DEFAULT_FORM} onChange={() => {}} />
        </ApiProvider>
      )
      for (const [key, re] of Object.entries(words)) expect(hintOf(`cfg-${key}`)).toMatch(re)
    })
  }
})
