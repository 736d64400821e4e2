/** `studio project …` and `studio storyboard …`: media bins, and videos edited scene by scene. */
import { PROJECT_USAGE, STORYBOARD_USAGE, StoryboardUsageError, projectCommand, storyboardCommand } from '../storyboard'
import { UsageError, parse, type CommandGroup } from './context'

export const storyboardCommands: CommandGroup = async (command, args, { io, json, open, queueUrl }) => {
  const { values, positionals } = parse(
    args,
    {
      project: { type: 'string' },
      idea: { type: 'string' },
      length: { type: 'string' },
      assets: { type: 'string' },
      blank: { type: 'boolean' },
      format: { type: 'string' },
      language: { type: 'string' },
      title: { type: 'string' },
      render: { type: 'boolean' },
      narration: { type: 'string' },
      asset: { type: 'string' },
      in: { type: 'string' },
      out: { type: 'string' },
      prompt: { type: 'string' },
      'title-card': { type: 'string' },
      duration: { type: 'string' },
      caption: { type: 'string' },
      'no-caption': { type: 'boolean' },
      motion: { type: 'string' },
      transition: { type: 'string' },
      'move-to': { type: 'string' },
      duplicate: { type: 'boolean' },
      remove: { type: 'boolean' },
      after: { type: 'string' },
      captions: { type: 'string' },
      music: { type: 'string' },
      voice: { type: 'string' },
      speed: { type: 'string' },
      draft: { type: 'boolean' },
      scene: { type: 'string' },
      estimate: { type: 'boolean' },
      priority: { type: 'string' },
      query: { type: 'string' },
      text: { type: 'string' },
      video: { type: 'boolean' },
      count: { type: 'string' }
    },
    { min: 1, max: 1_000, usage: command === 'project' ? PROJECT_USAGE : STORYBOARD_USAGE }
  )
  const e = await open(values)
  const group = { positionals, values: values as Record<string, string | boolean | undefined>, json }
  // --queue-url: the storyboards stay this data folder's, their renders go to the farm (the data folder is the share, as for serve).
  const farm = command === 'storyboard' && queueUrl !== undefined ? await (await import('../farm-storyboards')).openFarmStoryboards(queueUrl, e) : undefined
  try {
    return command === 'project' ? await projectCommand(e, io, group) : await storyboardCommand(e, io, { ...group, ...(farm ? { farm } : {}) })
  } catch (err) {
    if (err instanceof StoryboardUsageError) throw new UsageError(err.message)
    throw err
  } finally {
    await farm?.close()
  }
}
