// Diagnostics as a user sees them: the real extension, its language server and VS Code's problem list.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { SafesqlApi } from '../../client/src/extension';
import type { RuleId } from '../../server/src/protocol';
import { ruleOf, screenshot, waitFor, workspaceFile } from './helpers';

/** The diagnostics of `uri` once every rule in `expected` has reported at least once. */
async function diagnosticsOnceReported(uri: vscode.Uri, expected: RuleId[]): Promise<vscode.Diagnostic[]> {
  try {
    return await waitFor(`diagnostics ${expected.join(', ')} on ${uri.path}`, () => {
      const diagnostics = vscode.languages.getDiagnostics(uri);
      const rules = new Set(diagnostics.map(ruleOf));
      return expected.every((rule) => rules.has(rule)) ? diagnostics : undefined;
    });
  } catch (error) {
    const seen = vscode.languages.getDiagnostics(uri).map((d) => `${ruleOf(d)}@${d.range.start.line + 1}`);
    throw new Error(`${(error as Error).message}; there are: ${seen.join(', ') || 'none'}`);
  }
}

suite('diagnostics in the editor', () => {
  test('the extension under development is the one running', async () => {
    // extensionDevelopmentPath is the repository root; its package.json names publisher.name.
    const extension = vscode.extensions.getExtension<SafesqlApi>('safesql.safesql');
    assert.ok(extension, 'extension safesql.safesql is not loaded');
    const { activationMs, loadMs, hostMs } = await extension.activate();
    assert.ok(activationMs > 0, 'the extension did not time its activation');
    // For `npm run bench` (bench/extension.ts), which runs this suite to measure activation.
    const out = process.env.SAFESQL_ACTIVATION_OUT;
    if (out) fs.writeFileSync(out, JSON.stringify({ activationMs, loadMs, hostMs }));
  });

  test('an unbounded DELETE outside a transaction is flagged; a bounded one inside BEGIN/COMMIT is not', async () => {
    const uri = workspaceFile('cleanup.sql');
    const document = await vscode.workspace.openTextDocument(uri);
    assert.equal(document.languageId, 'sql');
    await vscode.window.showTextDocument(document);

    const diagnostics = await diagnosticsOnceReported(uri, ['unbounded-delete', 'missing-transaction']);

    // Both findings are on `DELETE FROM orders;` (line 2); nothing on the bounded DELETE in lines 4-6.
    const found = diagnostics.map((d) => `${ruleOf(d)}@${d.range.start.line + 1}`).sort();
    assert.deepEqual(found, ['missing-transaction@2', 'unbounded-delete@2']);
    const unbounded = diagnostics.find((d) => ruleOf(d) === 'unbounded-delete');
    assert.equal(unbounded?.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(unbounded?.source, 'safesql');

    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await screenshot('editor-flagged-delete');
  });
});
