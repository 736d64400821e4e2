/**
 * JSON.parse for text read from a file the user wrote. Windows Notepad (and Excel's "UTF-8"
 * exports) start a file with a byte order mark, which JSON.parse refuses as an unexpected token
 * although the JSON itself is fine: it is dropped first.
 */
export function parseJsonText(text: string): unknown {
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
}
