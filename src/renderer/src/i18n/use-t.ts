import { useMemo } from 'react'
import { useStudio } from '../store'
import { translator, type Translator } from './index'

export function useT(): Translator {
  const locale = useStudio((s) => s.locale)
  return useMemo(() => translator(locale), [locale])
}
