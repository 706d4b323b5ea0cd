import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient } from '../helpers/lspClient';

/** The real server on documents meant to break it: it must answer, publish in-range diagnostics, and live on. */

function randomLatin1(bytes: number, seed: number): string {
  let state = seed;
  let text = '';
  for (let i = 0; i < bytes; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    text += String.fromCharCode(state % 256);
  }
  return text;
}

const NASTY: Record<string, string> = {
  'binary garbage (1 MB)': randomLatin1(1_000_000, 7),
  'one line of a million characters': `SELECT ${'1+'.repeat(500_000)}1;\nDELETE FROM t;`,
  'deeply nested parentheses': `SELECT ${'('.repeat(100_000)}1${')'.repeat(100_000)};\nDELETE FROM t;`,
  'unterminated quote at the start': `SELECT 'abc\n${'DELETE FROM t WHERE id = 1;\n'.repeat(20_000)}`,
  'unterminated dollar quote at the start': `SELECT $$abc\n${'DELETE FROM t WHERE id = 1;\n'.repeat(20_000)}`,
  'unterminated comment at the start': `/* abc\n${'DELETE FROM t WHERE id = 1;\n'.repeat(20_000)}`,
  'a statement over the parse limit': `INSERT INTO t VALUES ${Array.from({ length: 80_000 }, (_, i) => `(${i}, 'row ${i}')`).join(',')};`,
};

function assertInside(text: string, diagnostics: Diagnostic[]): void {
  const lines = text.split('\n');
  for (const d of diagnostics) {
    for (const p of [d.range.start, d.range.end]) {
      assert.ok(p.line >= 0 && p.line < lines.length, `line ${p.line} of ${lines.length}`);
      assert.ok(p.character >= 0 && p.character <= lines[p.line]!.length + 1, `character ${p.character} on line ${p.line}`);
    }
  }
}

describe('language server robustness', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    await client.initialize();
  });
  after(() => client.shutdown());

  for (const [name, text] of Object.entries(NASTY)) {
    it(`survives ${name}`, async () => {
      const uri = `file:///nasty/${encodeURIComponent(name)}.sql`;
      const published = client.diagnostics(uri, () => true, 60_000);
      await client.open(uri, text);
      const { diagnostics } = await published;
      assertInside(text, diagnostics);
      if (name.includes('parse limit')) assert.ok(diagnostics.some((d) => d.code === 'analysis-limit'));
      const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
      assert.ok(hover === null || typeof hover === 'object');
      await client.close(uri);
    });
  }

  it('publishes the final version after a burst of 50 edits to a big document', async () => {
    const uri = 'file:///nasty/burst.sql';
    const text = 'BEGIN;\nSELECT 1;\nCOMMIT;\n'.repeat(5_000);
    const first = client.diagnostics(uri, () => true, 60_000);
    await client.open(uri, text);
    await first;
    const final = client.diagnostics(uri, (p) => p.version === 51, 60_000);
    for (let v = 2; v <= 51; v++) {
      await client.change(uri, v, [
        { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: v % 2 ? "'" : 'x' },
      ]);
    }
    const { diagnostics } = await final;
    assert.ok(diagnostics.length > 0);
    await client.close(uri);
    assert.deepEqual(
      client.logs.filter((l) => /failed|uncaught|unhandled/.test(l)),
      [],
    );
  });
});
