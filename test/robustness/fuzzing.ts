import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Range } from 'vscode-languageserver';
import { DEFAULT_SETTINGS } from '../../server/src/config/settings';
import { codeActions } from '../../server/src/lsp/codeActions';
import { toDiagnostics } from '../../server/src/lsp/diagnostics';
import { hoverAt } from '../../server/src/lsp/hover';
import { lintDocument } from '../../server/src/rules/lint';
import { analyzeDocument } from '../../server/src/sql/analyze';
import { reanalyzeDocument } from '../../server/src/sql/incremental';
import type { LineIndex } from '../../server/src/sql/lineIndex';
import { comparableAnalysis } from '../helpers/comparable';

const CORPUS = join(__dirname, '../corpus');
const SOURCES = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.sql'))
  .map((f) => readFileSync(join(CORPUS, f), 'utf8'));

const FRAGMENTS = [
  "'",
  '"',
  '$$',
  '$a$',
  '/*',
  '*/',
  '--',
  '\\',
  '\\.\n',
  ';',
  '('.repeat(50),
  ')',
  'COPY t FROM stdin;\n',
  '\\copy t from stdin\n',
  'BEGIN ATOMIC ',
  'CREATE RULE r AS ON INSERT TO t DO (',
  ':var',
  ":'v'",
  '\u0000',
  '\u0007',
  '\uD800',
  '\uDFFF',
  '😀',
  '\r\n',
  'x'.repeat(5000),
  "E'\\",
  "U&'\\",
  'BEGIN;',
  'COMMIT;',
  'DELETE FROM t',
  ' WHERE ',
  'UPDATE t SET a = 1',
  '-- safesql-ignore unbounded-delete',
  '-- safesql:connection prod\n',
];

/** One fuzz input: a mutated corpus file, or random characters. */
export function fuzzInput(random: (n: number) => number): string {
  if (random(5) === 0) {
    const length = random(3000);
    let text = '';
    for (let i = 0; i < length; i++) text += String.fromCharCode(random(4) === 0 ? random(0x10000) : random(128));
    return text;
  }
  let text = SOURCES[random(SOURCES.length)]!;
  for (let m = random(8) + 1; m > 0; m--) {
    const at = random(text.length + 1);
    switch (random(4)) {
      case 0:
        text = text.slice(0, at) + FRAGMENTS[random(FRAGMENTS.length)]! + text.slice(at);
        break;
      case 1:
        text = text.slice(0, at) + text.slice(at + random(200));
        break;
      case 2: {
        const from = random(text.length + 1);
        text = text.slice(0, at) + text.slice(from, from + random(300)) + text.slice(at);
        break;
      }
      default:
        text = text.slice(0, at) + String.fromCharCode(random(0x10000)) + text.slice(at);
    }
  }
  return text;
}

function assertInside(lines: LineIndex, text: string, range: Range, what: string): void {
  for (const position of [range.start, range.end]) {
    assert.ok(position.line >= 0 && position.line < lines.lineCount, `${what}: line ${position.line} outside the document`);
    assert.ok(
      position.character >= 0 && position.character <= lines.lineText(position.line).length + 1,
      `${what}: character ${position.character} outside line ${position.line}`,
    );
  }
  assert.ok(
    range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character),
    `${what}: range ends before it starts`,
  );
  void text;
}

/** Writes a failing input to a temporary file and returns its path, for the report. */
export function saveReproduction(input: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'safesql-fuzz-')), 'input.sql');
  writeFileSync(file, input);
  return file;
}

/**
 * Everything the editor path does with one document, checked: no exception, every span and range
 * inside the document, and the incremental analysis after an edit equal to a fresh one.
 */
export function checkDocument(text: string, random: (n: number) => number): void {
  const uri = 'file:///fuzz.sql';
  const document = analyzeDocument(text);
  const findings = lintDocument(document, { settings: DEFAULT_SETTINGS, editorConnection: { name: 'fuzz' } });
  for (const f of findings) {
    assert.ok(
      f.span.start >= 0 && f.span.start <= f.span.end && f.span.end <= text.length,
      `finding ${f.rule} span ${JSON.stringify(f.span)} outside 0..${text.length}`,
    );
  }
  for (const d of toDiagnostics(uri, document.lines, findings, random(2) === 0 ? 0 : 5)) {
    assertInside(document.lines, text, d.range, `diagnostic ${String(d.code)}`);
    for (const r of d.relatedInformation ?? []) assertInside(document.lines, text, r.location.range, 'related information');
  }
  for (let k = 0; k < 3; k++) {
    const offset = random(text.length + 1);
    hoverAt(document.lines, findings, offset);
    for (const action of codeActions({
      uri,
      document,
      findings,
      range: { start: offset, end: Math.min(text.length, offset + random(500)) },
      only: random(2) ? undefined : ['quickfix', 'source.fixAll'],
    })) {
      for (const edit of action.edit?.changes?.[uri] ?? []) assertInside(document.lines, text, edit.range, `edit of "${action.title}"`);
    }
  }
  const at = random(text.length + 1);
  const inserted = FRAGMENTS[random(FRAGMENTS.length)]!;
  const removed = random(20);
  const next = text.slice(0, at) + inserted + text.slice(at + removed);
  assert.deepEqual(
    comparableAnalysis(reanalyzeDocument(document, next)),
    comparableAnalysis(analyzeDocument(next)),
    `incremental analysis differs from a fresh one after replacing ${removed} characters at ${at} with ${JSON.stringify(inserted)}`,
  );
}
