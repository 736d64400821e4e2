import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

/** The house rules that keep the engine testable and the renderer safe, enforced on every run. */
function files(dir: string): string[] {
  let out: string[] = []
  let entries: string[] = []
  try {
    entries = readdirSync(dir)
  } catch {
    return out
  }
  for (const name of entries) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out = out.concat(files(path))
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) out.push(path)
  }
  return out
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const found: string[] = []
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push((m[1] ?? m[2] ?? m[3])!)
  }
  return found
}

const NODE_BUILTINS = /^(node:|fs$|fs\/|path$|os$|child_process$|crypto$|http$|https$|net$|stream$|url$|util$|worker_threads$|better-sqlite3$|electron$|ws$|fluent-ffmpeg$|sharp$)/

/** Where SQL may be written: the store layer, one module per aggregate. */
const STORE = 'src/main/engine/store/'

/** Statement shapes, upper-case as the code base writes SQL (a bare 'SELECT' is an HTML tag name). */
const SQL_STATEMENT =
  /\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+(?:OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\b(?:CREATE|ALTER|DROP)\s+(?:TABLE|INDEX|VIEW|TRIGGER)\b|\bPRAGMA\s+\w+|\bBEGIN\s+(?:IMMEDIATE|EXCLUSIVE|DEFERRED|TRANSACTION)\b|\bSAVEPOINT\s+\w+/
/** The store's own ways in: a statement from the shared cache, rows read raw, a transaction opened by hand. */
const STORE_HELPERS = new Set(['prep', 'readRows', 'inTransaction', 'inTransactionFlushedAfter'])
/** A better-sqlite3 connection, by the names the code base gives it. */
const DATABASE_RECEIVER = /(?:^|\.)(?:db|database|sqlite|connection)$/i

/** Every finding below needs one of these words in the file. */
const MAY_TOUCH_STORAGE = /\b(?:prep|readRows|inTransaction\w*)\b|\.(?:prepare|exec|pragma|transaction)\b|Row\b|_ROW\b|\b(?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|PRAGMA|BEGIN|SAVEPOINT)\b/

/**
 * What a file does that only the store layer may do: prepare or run SQL (prep, readRows,
 * .prepare, a connection's .exec/.pragma/.transaction, a hand-opened transaction), write a SQL
 * statement in a string, or import a row type (anything named *Row or *_ROW) from store/ or
 * queue/rows. Read from the TypeScript syntax tree: comments, RegExp.exec and UI text are not SQL.
 */
function storageFindings(file: string, text: string): string[] {
  // Parsing is the slow part: a file with none of the words a finding needs has none.
  if (!MAY_TOUCH_STORAGE.test(text)) return []
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS)
  const found: string[] = []
  const at = (node: ts.Node, what: string) => found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}: ${what}`)
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const from = node.moduleSpecifier.text
      if (/(^|\/)store\/|(^|\/)queue\/rows$/.test(from) || (from.startsWith('./') && file.includes('/engine/store/'))) {
        const bindings = node.importClause?.namedBindings
        if (bindings && ts.isNamedImports(bindings)) {
          for (const el of bindings.elements) {
            const name = (el.propertyName ?? el.name).text
            if (/Row$|_ROW$/.test(name)) at(el, `imports the row type ${name} from ${from}`)
          }
        }
      }
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression
      if (ts.isIdentifier(callee) && STORE_HELPERS.has(callee.text)) at(node, `calls ${callee.text}()`)
      if (ts.isPropertyAccessExpression(callee)) {
        const method = callee.name.text
        const receiver = callee.expression.getText(source)
        if (method === 'prepare') at(node, `prepares SQL (${receiver}.prepare)`)
        if ((method === 'exec' || method === 'pragma' || method === 'transaction') && DATABASE_RECEIVER.test(receiver)) at(node, `runs ${receiver}.${method}()`)
      }
    }
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      if (SQL_STATEMENT.test(node.text)) at(node, `SQL in a string: ${JSON.stringify(node.text.trim().slice(0, 60))}`)
    }
    node.forEachChild(visit)
  }
  visit(source)
  return found
}

describe('boundaries', () => {
  it('the engine never imports electron', () => {
    const offenders = files('src/main/engine').filter((f) => importsOf(f).some((i) => i === 'electron' || i.startsWith('electron/')))
    expect(offenders).toEqual([])
  })

  it('the renderer imports no Node built-ins, no native modules and no electron', () => {
    const offenders = files('src/renderer').flatMap((f) => importsOf(f).filter((i) => NODE_BUILTINS.test(i)).map((i) => `${f}: ${i}`))
    expect(offenders).toEqual([])
  })

  it('the shared contract imports neither Node nor the engine', () => {
    const offenders = files('src/shared').flatMap((f) =>
      importsOf(f)
        .filter((i) => NODE_BUILTINS.test(i) || i.includes('/main/') || i.includes('/renderer/'))
        .map((i) => `${f}: ${i}`)
    )
    expect(offenders).toEqual([])
  })

  it('the check itself sees imports (guards against a scan that finds nothing)', () => {
    expect(importsOf('src/main/engine/store/database.ts')).toContain('better-sqlite3')
    expect(files('src/main/engine').length).toBeGreaterThan(10)
  })

  it('only the store layer runs SQL or sees a row', () => {
    const offenders = files('src')
      .map((f) => relative('.', f).split('\\').join('/'))
      .filter((f) => !f.startsWith(STORE))
      .flatMap((f) => storageFindings(f, readFileSync(f, 'utf8')))
    expect(offenders).toEqual([])
  })

  it('the SQL check sees what it must and nothing else (guards against a scan that finds nothing)', () => {
    const sample = [
      "import { prep, type Db } from '../store/database'",
      "import type { JobRow, StepRow } from '../queue/rows'",
      "import { JOB_ROW } from '../queue/rows'",
      "const a = prep(db, 'SELECT id FROM jobs')",
      "const b = this.db.prepare('select 1')",
      "this.engine.db.exec('VACUUM')",
      "inTransaction(db, () => {})",
      'const c = `UPDATE batches SET status = ? WHERE id = ?`',
      "const d = 'INSERT OR IGNORE INTO batch_rows (batch_id) VALUES (?)'"
    ].join('\n')
    expect(storageFindings('src/main/engine/x.ts', sample).map((f) => f.replace(/^[^:]+:\d+: /, ''))).toEqual([
      'imports the row type JobRow from ../queue/rows',
      'imports the row type StepRow from ../queue/rows',
      'imports the row type JOB_ROW from ../queue/rows',
      'calls prep()',
      "SQL in a string: \"SELECT id FROM jobs\"",
      'prepares SQL (this.db.prepare)',
      'runs this.engine.db.exec()',
      'calls inTransaction()',
      'SQL in a string: "UPDATE batches SET status = ? WHERE id = ?"',
      'SQL in a string: "INSERT OR IGNORE INTO batch_rows (batch_id) VALUES (?)"'
    ])
    const innocent = [
      '// SELECT id FROM jobs, in a comment',
      "const m = /^(\\d+)$/.exec(text)",
      "if (tag === 'SELECT') return true",
      "const label = 'Update the settings, then select a file from the list'",
      "import type { BatchRecord } from '../store/batches'"
    ].join('\n')
    expect(storageFindings('src/main/engine/y.ts', innocent)).toEqual([])
    // And the real store layer is full of it.
    expect(storageFindings('src/main/engine/store/batches.ts', readFileSync('src/main/engine/store/batches.ts', 'utf8')).length).toBeGreaterThan(10)
  })
})
