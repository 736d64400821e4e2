/** A field's refusal, under it, in the user's words (the settings page's autosave reports it). */
export function FieldError({ error, testId }: { error: string | null; testId?: string }) {
  if (!error) return null
  return (
    <p className="field-error small" role="alert" data-testid={testId ?? 'field-error'}>
      {error}
    </p>
  )
}
