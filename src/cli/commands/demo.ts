/** `studio demo`: sample videos rendered offline into ./demo-output. */
import { UsageError, numberArg, parse, type CommandGroup } from './context'

export const demoCommands: CommandGroup = async (_command, args, { io, json, open }) => {
  const { values } = parse(args, { count: { type: 'string' }, draft: { type: 'boolean', default: false } }, { min: 0, max: 0, usage: 'demo [--count 1-3] [--draft] [--data-dir DIR]' })
  const count = numberArg(values.count as string | undefined, '--count') ?? 3
  if (!Number.isInteger(count) || count < 1 || count > 3) throw new UsageError('--count must be 1, 2 or 3')
  const { demo } = await import('../demo')
  // The demo keeps its files next to the project unless told otherwise: easy to find and delete.
  const e = await open({ ...values, 'data-dir': values['data-dir'] ?? 'demo-output' })
  return await demo(e, io, { count, json, draft: values.draft === true })
}
