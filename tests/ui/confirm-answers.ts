/**
 * The app's own confirm dialog, answered by a test that does not mount it: every question put
 * with `ask` is recorded and answered with the next of `answers` (the last one repeats).
 */
import { studioStore } from '../../src/renderer/src/store'

let stopPrevious: (() => void) | null = null

export function answerQuestions(...answers: boolean[]) {
  // One answerer at a time: an earlier test's must not answer this one's questions.
  stopPrevious?.()
  const asked: string[] = []
  let last = 0
  const unsubscribe = studioStore.subscribe((s) => {
    const q = s.confirmation
    if (!q || q.id === last) return
    last = q.id
    asked.push(q.message)
    const answer = answers.length > 1 ? answers.shift()! : answers[0] ?? false
    queueMicrotask(() => studioStore.getState().answer(answer))
  })
  stopPrevious = unsubscribe
  return {
    asked,
    answerWith(...next: boolean[]) {
      answers.splice(0, answers.length, ...next)
    },
    stop: unsubscribe
  }
}
