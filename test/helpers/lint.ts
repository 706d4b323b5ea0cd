import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { DEFAULT_SETTINGS, type LintSettings } from '../../server/src/config/settings';
import type { RuleId } from '../../server/src/protocol';
import { lintDocument, type LintOptions } from '../../server/src/rules/lint';
import type { Finding } from '../../server/src/rules/types';
import { analyzeDocument } from '../../server/src/sql/analyze';
import { loadGrammar } from '../../server/src/sql/grammar';
import type { SqlDocument } from '../../server/src/sql/statement';

export interface Linted {
  document: SqlDocument;
  findings: Finding[];
  /** The text each finding marks, in order. */
  marked: string[];
}

/** Lints SQL text with the real front end and rules. Call `loadGrammar()` first (see `ruleFixtures`). */
export function lintSql(text: string, options: Partial<LintOptions> = {}): Linted {
  const document = analyzeDocument(text);
  const findings = lintDocument(document, { settings: options.settings ?? DEFAULT_SETTINGS, ...options });
  return { document, findings, marked: findings.map((f) => text.slice(f.span.start, f.span.end)) };
}

export interface FixtureCase {
  sql: string;
  /** The exact text the finding must mark, when the case cares. */
  marked?: string;
  settings?: LintSettings;
  editorConnection?: LintOptions['editorConnection'];
}

/**
 * Paired fixtures for one rule, as squawk does it: every `flagged` case must produce at least one
 * finding of the rule, and every `ok` look-alike none.
 */
export function ruleFixtures(rule: RuleId, cases: { flagged: (string | FixtureCase)[]; ok: (string | FixtureCase)[] }): void {
  describe(rule, () => {
    before(() => loadGrammar());
    for (const c of cases.flagged.map(asCase)) {
      it(`flags: ${oneLine(c.sql)}`, () => {
        const { findings, marked } = lintSql(c.sql, options(c));
        const mine = findings.filter((f) => f.rule === rule);
        assert.ok(mine.length > 0, `expected ${rule} on:\n${c.sql}\ngot: ${JSON.stringify(findings.map((f) => f.rule))}`);
        if (c.marked !== undefined) {
          assert.ok(
            findings.some((f, i) => f.rule === rule && marked[i] === c.marked),
            `expected ${rule} to mark ${JSON.stringify(c.marked)}, marked ${JSON.stringify(marked.filter((_, i) => findings[i]!.rule === rule))}`,
          );
        }
      });
    }
    for (const c of cases.ok.map(asCase)) {
      it(`accepts: ${oneLine(c.sql)}`, () => {
        const { findings } = lintSql(c.sql, options(c));
        const mine = findings.filter((f) => f.rule === rule);
        assert.deepEqual(
          mine.map((f) => f.message),
          [],
          `expected no ${rule} on:\n${c.sql}`,
        );
      });
    }
  });
}

function asCase(c: string | FixtureCase): FixtureCase {
  return typeof c === 'string' ? { sql: c } : c;
}

function options(c: FixtureCase): Partial<LintOptions> {
  return { ...(c.settings ? { settings: c.settings } : {}), ...(c.editorConnection ? { editorConnection: c.editorConnection } : {}) };
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 90 ? `${flat.slice(0, 87)}...` : flat;
}
