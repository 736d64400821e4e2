/**
 * Job ids and their short form.
 *
 * Jobs queued before version 17 have random UUIDs (version 4); their short id is their first 8
 * characters, as it always was. Newer jobs have time-ordered ids in the UUID layout (version 7,
 * made by the engine's store): the jobs of a bulk enqueue are appended to the id index instead of
 * each landing on a random page of it. Their first characters are the time, the same for every
 * job of one enqueue, so their short id is their last 8 characters, which are distinct for every
 * job in the database (a scrambled job number). The short id of every job, old or new, is taken
 * here; a lookup by short id (the store's `require`) accepts a prefix of either.
 */

/** Characters of a short id as shown. */
export const SHORT_ID_LENGTH = 8

/** Where a time-ordered id's short id starts (the last 8 of its 36 characters). */
export const SHORT_ID_START = 28

/** A time-ordered id (version 7 in the UUID layout), whose short id is its end. */
export function isTimeOrderedJobId(id: string): boolean {
  return id.length === 36 && id.charCodeAt(14) === 55 /* '7' */ && id.charCodeAt(8) === 45 /* '-' */
}

/** The 8 characters a person sees and types for a job. */
export function shortJobId(id: string): string {
  return isTimeOrderedJobId(id) ? id.slice(SHORT_ID_START) : id.slice(0, SHORT_ID_LENGTH)
}

/** Whether `text` (lower case) is a prefix of the job's id or of its short id. */
export function jobIdStartsWith(id: string, text: string): boolean {
  return id.startsWith(text) || (text.length <= SHORT_ID_LENGTH && isTimeOrderedJobId(id) && id.startsWith(text, SHORT_ID_START))
}
