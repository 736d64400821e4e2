/** Voices a speech provider offers (providers/voices, `studio voices`). No Node, no DOM. */
export interface VoiceView {
  /** What the provider takes to pick the voice (stored as the speech settings' voice). */
  id: string
  name: string
  /** "en", "fr-fr", "en-us"… or null when the provider does not say. */
  language: string | null
  /** Who speaks it: "rhvoice", "festival", "espeak-ng", "say", "sapi", "mespeak", "elevenlabs", "openai". */
  engine: string
}
