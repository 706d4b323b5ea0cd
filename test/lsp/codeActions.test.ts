import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeActions } from '../../server/src/lsp/codeActions';
import { loadGrammar } from '../../server/src/sql/grammar';
import { lintSql } from '../helpers/lint';

/** Applies the first action whose title starts with `title` at `offset` and returns the new text. */
function apply(text: string, offset: number, title: string): string {
  const uri = 'file:///t.sql';
  const { document, findings } = lintSql(text);
  const actions = codeActions({ uri, document, findings, range: { start: offset, end: offset } });
  const action = actions.find((a) => a.title.startsWith(title));
  assert.ok(action, `no "${title}" among ${JSON.stringify(actions.map((a) => a.title))}`);
  return TextDocument.applyEdits(TextDocument.create(uri, 'sql', 1, text), action.edit!.changes![uri]!);
}

describe('code actions', () => {
  before(() => loadGrammar());

  it('selects the WHERE placeholder where it will be after the edit', () => {
    const uri = 'file:///t.sql';
    for (const text of ['DELETE FROM orders;\nSELECT 1;\n', 'BEGIN;\n  UPDATE t SET a = 1\n  RETURNING a;\nCOMMIT;\n']) {
      const { document, findings } = lintSql(text);
      const offset = text.search(/DELETE|UPDATE/);
      const action = codeActions({ uri, document, findings, range: { start: offset, end: offset } }).find((a) =>
        a.title.startsWith('Add a WHERE'),
      )!;
      const edited = TextDocument.create(
        uri,
        'sql',
        2,
        TextDocument.applyEdits(TextDocument.create(uri, 'sql', 1, text), action.edit!.changes![uri]!),
      );
      const selection = action.command!.arguments![1] as {
        start: { line: number; character: number };
        end: { line: number; character: number };
      };
      assert.equal(edited.getText(selection), 'FALSE', text);
    }
  });

  it('offers a statement’s fixes anywhere on it, the most relevant first', () => {
    const uri = 'file:///t.sql';
    const titles = (text: string, offset: number) => {
      const { document, findings } = lintSql(text);
      return codeActions({ uri, document, findings, range: { start: offset, end: offset } }).map((a) => a.title);
    };
    // WHERE 1=1 underlines the predicate; the cursor on UPDATE still gets its fixes.
    const always = 'UPDATE orders SET status = 1 WHERE 1=1;\n';
    assert.ok(titles(always, 0).includes('Suppress unbounded-update for this statement'), JSON.stringify(titles(always, 0)));
    const unbounded = 'DELETE FROM orders;\n';
    const offered = titles(unbounded, unbounded.indexOf('orders'));
    assert.deepEqual(offered.slice(0, 3), [
      'Add a WHERE clause to this DELETE (placeholder: matches no row)',
      'Wrap the statement in BEGIN … COMMIT',
      'Wrap the statement in BEGIN … ROLLBACK (dry run)',
    ]);
    assert.ok(
      offered.slice(3).every((title) => title.startsWith('Suppress ')),
      JSON.stringify(offered),
    );
    // Outside every statement, nothing.
    assert.deepEqual(titles('DELETE FROM orders;\n\n\nSELECT 1;\n', 'DELETE FROM orders;\n\n'.length), []);
  });

  it('puts the WHERE placeholder where PostgreSQL expects it', () => {
    const cases: [string, string][] = [
      ['BEGIN; DELETE FROM orders; COMMIT;', 'BEGIN; DELETE FROM orders WHERE FALSE; COMMIT;'],
      [
        'BEGIN; DELETE FROM orders o USING customers c RETURNING o.id; COMMIT;',
        'BEGIN; DELETE FROM orders o USING customers c WHERE FALSE RETURNING o.id; COMMIT;',
      ],
      [
        "BEGIN; UPDATE orders SET note = 'x;y', total = (SELECT 1) FROM c; COMMIT;",
        "BEGIN; UPDATE orders SET note = 'x;y', total = (SELECT 1) FROM c WHERE FALSE; COMMIT;",
      ],
      [
        'BEGIN; WITH d AS (DELETE FROM events RETURNING *) SELECT count(*) FROM d; COMMIT;',
        'BEGIN; WITH d AS (DELETE FROM events WHERE FALSE RETURNING *) SELECT count(*) FROM d; COMMIT;',
      ],
      ['BEGIN; WITH u AS (UPDATE t SET a = 1) SELECT 1; COMMIT;', 'BEGIN; WITH u AS (UPDATE t SET a = 1 WHERE FALSE) SELECT 1; COMMIT;'],
    ];
    for (const [text, expected] of cases) {
      const offset = text.search(/DELETE|UPDATE/);
      assert.equal(apply(text, offset, 'Add a WHERE clause'), expected);
    }
  });

  it('wraps several selected statements in one block, keeping indentation and trailing comments', () => {
    const text = '    INSERT INTO a VALUES (1);\n    INSERT INTO a VALUES (2); -- second\nSELECT 1;\n';
    const uri = 'file:///t.sql';
    const { document, findings } = lintSql(text);
    const actions = codeActions({ uri, document, findings, range: { start: 0, end: text.indexOf('SELECT') } });
    const wrap = actions.find((a) => a.title === 'Wrap these 2 statements in BEGIN … COMMIT')!;
    assert.equal(
      TextDocument.applyEdits(TextDocument.create(uri, 'sql', 1, text), wrap.edit!.changes![uri]!),
      '    BEGIN;\n    INSERT INTO a VALUES (1);\n    INSERT INTO a VALUES (2); -- second\n    COMMIT;\nSELECT 1;\n',
    );
  });

  it('wraps a statement that shares its line with others on lines of its own', () => {
    const text = 'SELECT 1; DELETE FROM a WHERE id = 1; SELECT 2;';
    assert.equal(
      apply(text, text.indexOf('DELETE'), 'Wrap the statement in BEGIN … ROLLBACK'),
      'SELECT 1; \nBEGIN;\nDELETE FROM a WHERE id = 1;\nROLLBACK;\n SELECT 2;',
    );
  });

  it('removes an unused suppression, with its line when it stands alone', () => {
    const text = 'BEGIN;\n  -- safesql-ignore truncate -- old\nSELECT 1;\nCOMMIT;\n';
    assert.equal(apply(text, text.indexOf('--'), 'Remove the unused suppression'), 'BEGIN;\nSELECT 1;\nCOMMIT;\n');
    const trailing = 'BEGIN;\nSELECT 1;   -- safesql-ignore truncate\nCOMMIT;\n';
    assert.equal(apply(trailing, trailing.indexOf('--'), 'Remove the unused suppression'), 'BEGIN;\nSELECT 1;\nCOMMIT;\n');
  });

  it('removes only the unused id from a directive that still suppresses something', () => {
    const text = '-- safesql-ignore unbounded-delete, truncate -- scratch table\nBEGIN;\nDELETE FROM scratch;\nCOMMIT;\n';
    assert.equal(
      apply(text, 3, 'Remove truncate from the suppression'),
      '-- safesql-ignore unbounded-delete -- scratch table\nBEGIN;\nDELETE FROM scratch;\nCOMMIT;\n',
    );
    const uri = 'file:///t.sql';
    const all = '-- safesql-ignore truncate, drop-object, nonsense\nSELECT 1;\n';
    const { document, findings } = lintSql(all);
    const [fixAll] = codeActions({ uri, document, findings, range: { start: 0, end: 0 }, only: ['source.fixAll'] });
    assert.equal(TextDocument.applyEdits(TextDocument.create(uri, 'sql', 1, all), fixAll!.edit!.changes![uri]!), 'SELECT 1;\n');
  });

  it('offers a suppression for a statement in the middle of a line on a line of its own', () => {
    const text = 'BEGIN; TRUNCATE t; COMMIT;';
    assert.equal(
      apply(text, text.indexOf('TRUNCATE'), 'Suppress truncate'),
      'BEGIN; \n-- safesql-ignore truncate -- reason\nTRUNCATE t; COMMIT;',
    );
  });

  it('offers no fix-all unless asked for by kind', () => {
    const text = 'DELETE FROM a WHERE id = 1;';
    const { document, findings } = lintSql(text);
    const range = { start: 0, end: 0 };
    assert.ok(!codeActions({ uri: 'file:///t.sql', document, findings, range }).some((a) => a.kind === 'source.fixAll.safesql'));
    assert.deepEqual(
      codeActions({ uri: 'file:///t.sql', document, findings, range, only: ['source'] }).map((a) => a.kind),
      ['source.fixAll.safesql'],
    );
  });
});
