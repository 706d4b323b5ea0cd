import { plural } from '../../../server/src/plural';
import { alsoChanged, type CommitResult, type PreviewResult, type RowImage, type StatementOutcome } from '../../../server/src/exec/results';
import type { Liveness } from '../../../server/src/exec/liveness';
import type { Provenance } from '../../../server/src/exec/provenance';

/** HTML for the results view: theme colours only, no script, every value escaped. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 1em 2em; }
  h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.4em; }
  .env { display: inline-block; padding: 0.1em 0.6em; border-radius: 3px; font-weight: bold; }
  .env.production { background: var(--vscode-statusBarItem-errorBackground); color: var(--vscode-statusBarItem-errorForeground); }
  .env.staging { background: var(--vscode-statusBarItem-warningBackground); color: var(--vscode-statusBarItem-warningForeground); }
  .env.development, .env.local { border: 1px solid var(--vscode-panel-border); }
  .count { font-size: 1.2em; font-weight: bold; }
  .warning { color: var(--vscode-editorWarning-foreground); }
  .error { color: var(--vscode-errorForeground); }
  .ok { color: var(--vscode-testing-iconPassed); }
  table { border-collapse: collapse; margin: 0.4em 0; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  th, td { border: 1px solid var(--vscode-panel-border); padding: 0.15em 0.5em; text-align: left; vertical-align: top; white-space: pre; max-width: 40em; overflow: hidden; text-overflow: ellipsis; }
  th { background: var(--vscode-editorWidget-background); }
  td.null { color: var(--vscode-disabledForeground); font-style: italic; }
  td.changed { background: var(--vscode-diffEditor-insertedTextBackground); }
  pre { background: var(--vscode-textCodeBlock-background); padding: 0.6em; overflow-x: auto; }
  .muted { color: var(--vscode-descriptionForeground); }`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

function table(image: RowImage, compareWith?: RowImage): string {
  const head = `<tr>${image.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const rows = image.rows
    .map((row, r) => {
      const other = compareWith?.rows[r];
      return `<tr>${row
        .map((value, i) => {
          const classes = [value === null ? 'null' : '', other && other[i] !== value ? 'changed' : ''].filter(Boolean).join(' ');
          return `<td${classes ? ` class="${classes}"` : ''}>${value === null ? 'NULL' : escapeHtml(value)}</td>`;
        })
        .join('')}</tr>`;
    })
    .join('');
  const more =
    image.total > image.rows.length
      ? `<p class="muted">… and ${image.total - image.rows.length} more (${image.total} in all, all counted).</p>`
      : '';
  return `<table>${head}${rows}</table>${more}`;
}

function statement(outcome: StatementOutcome): string {
  const what = `${escapeHtml(outcome.command || outcome.mode)}${outcome.table ? ` on ${escapeHtml(outcome.table)}` : ''}`;
  const parts = [`<h2>Statement ${outcome.statement}: ${what} — ${plural(outcome.affectedRows, 'row')}</h2>`];
  for (const note of outcome.notes) parts.push(`<p class="warning">${escapeHtml(note)}</p>`);
  parts.push(origin(outcome.provenance));
  if (outcome.before && outcome.after) {
    parts.push('<h3>Before</h3>', table(outcome.before), '<h3>After</h3>', table(outcome.after, outcome.before));
  } else if (outcome.before) parts.push('<h3>Rows that go</h3>', table(outcome.before));
  else if (outcome.after) parts.push('<h3>Rows that come</h3>', table(outcome.after));
  else if (outcome.rows) parts.push(table(outcome.rows));
  if (outcome.plan) parts.push(`<details><summary>Plan</summary><pre>${escapeHtml(outcome.plan.join('\n'))}</pre></details>`);
  return parts.join('\n');
}

/** Where the rows came from: the groups by writing transaction, and the rows outside the largest one, opened on demand. */
function origin(provenance: Provenance | undefined): string {
  if (!provenance) return '';
  const several = provenance.transactions > 1;
  const groups = provenance.groups
    .map(
      (g) =>
        `<tr><td>${escapeHtml(g.transaction)}</td><td>${g.rows}</td><td>${g.committedAt ? escapeHtml(g.committedAt) : '<span class="muted">not recorded</span>'}</td></tr>`,
    )
    .join('');
  const unlisted =
    provenance.transactions > provenance.groups.length
      ? `<p class="muted">… and ${plural(provenance.unlistedRows, 'row')} by ${plural(provenance.transactions - provenance.groups.length, 'more transaction')}.</p>`
      : '';
  const rows = provenance.smallGroupRows
    ? `<details><summary>Rows outside the largest group (${provenance.smallGroupRows.rows.length} shown)</summary>${table({ ...provenance.smallGroupRows, total: provenance.smallGroupRows.rows.length })}</details>`
    : '';
  return `<h3>Where these rows came from</h3><ul class="${several ? 'warning' : ''}">${provenance.summary
    .map((line) => `<li>${escapeHtml(line)}</li>`)
    .join('')}</ul>${
    several
      ? `<details><summary>Groups by writing transaction</summary><table><tr><th>transaction</th><th>rows</th><th>committed</th></tr>${groups}</table>${unlisted}</details>`
      : ''
  }${rows}`;
}

function liveness(live: Liveness | undefined): string {
  if (!live) return '';
  const busy = live.sessions.others > 0 || (live.writesSincePreview?.length ?? 0) > 0;
  return `<h2>Is anybody using this database?</h2><ul class="${busy ? 'warning' : ''}">${live.summary.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
}

function header(result: Pick<PreviewResult, 'connection' | 'environment'>): string {
  const env = result.environment.environment;
  const reasons = result.environment.reasons.map((r) => `<p class="warning">⚠ ${escapeHtml(r)}</p>`).join('');
  return `<p><span class="env ${env}">${env.toUpperCase()}</span> ${escapeHtml(result.connection.name)} <span class="muted">${escapeHtml(
    `${result.connection.user}@${result.connection.host}:${result.connection.port}/${result.connection.database}`,
  )}</span></p>${reasons}`;
}

export function renderPreview(result: PreviewResult, source: string): string {
  const parts = [
    `<h1>Preview — ${escapeHtml(source)}</h1>`,
    header(result),
    `<p class="muted">Server ${escapeHtml(result.server.fingerprint)} · PostgreSQL ${escapeHtml(result.server.version)} · ${result.durationMs} ms</p>`,
  ];
  if (result.outcome === 'not-previewable') {
    parts.push(`<p class="warning">Not previewable: ${escapeHtml(result.notPreviewable ?? '')}. Nothing was run.</p>`);
    return page('safesql preview', parts.join('\n'));
  }
  if (result.error?.kind === 'escaped') {
    parts.push(`<p class="error">SOMETHING MAY HAVE BEEN COMMITTED: ${escapeHtml(result.error.message)}</p>`);
    return page('safesql preview', parts.join('\n'));
  }
  parts.push(...(result.cautions ?? []).map((caution) => `<p class="warning">${escapeHtml(caution)}</p>`));
  if (result.error) {
    const details = [result.error.detail, result.error.hint && `Hint: ${result.error.hint}`]
      .filter(Boolean)
      .map((d) => escapeHtml(d!))
      .join('<br>');
    parts.push(
      `<p class="error">PostgreSQL: ${escapeHtml(result.error.message)}${result.error.statement ? ` (statement ${result.error.statement})` : ''}</p>${details ? `<p>${details}</p>` : ''}`,
    );
  } else if (!result.readOnly) {
    parts.push(`<p class="count">${plural(result.affectedRows, 'row')} would change${escapeHtml(alsoChanged(result.statements))}.</p>`);
    parts.push(
      `<p class="${result.undo.possible ? 'ok' : 'warning'}">Undo: ${escapeHtml(result.undo.possible ? result.undo.reason : `not possible — ${result.undo.reason}`)}</p>`,
    );
  }
  parts.push(...result.statements.filter((s) => s.command !== 'SET').map(statement));
  parts.push(liveness(result.liveness));
  parts.push('<p class="muted">Rolled back: nothing was changed.</p>');
  return page('safesql preview', parts.join('\n'));
}

export function renderCommit(result: CommitResult, source: string): string {
  const parts = [`<h1>Commit — ${escapeHtml(source)}</h1>`];
  if (result.environment) parts.push(header({ connection: result.connection, environment: result.environment }));
  if (result.outcome === 'committed') {
    parts.push(
      `<p class="count ok">Committed: ${plural(result.affectedRows, 'row')} changed${escapeHtml(alsoChanged(result.statements))}.</p>`,
    );
    parts.push(
      `<p>Journal entry <code>${escapeHtml(result.journalId ?? '')}</code>. ${escapeHtml(result.undo?.possible ? `Undo is possible: ${result.undo.reason}.` : `It cannot be undone: ${result.undo?.reason ?? ''}.`)}</p>`,
    );
  } else if (result.error?.kind === 'escaped') {
    parts.push(`<p class="error">SOMETHING MAY HAVE BEEN COMMITTED: ${escapeHtml(result.error.message)}</p>`);
  } else {
    parts.push(`<p class="error">Not committed: ${escapeHtml(result.reason ?? '')}</p>`);
    if (result.error) parts.push(`<p class="error">PostgreSQL: ${escapeHtml(result.error.message)}</p>`);
    parts.push('<p>Nothing was changed.</p>');
  }
  parts.push(...result.statements.filter((s) => s.command !== 'SET').map(statement));
  parts.push(liveness(result.liveness));
  return page('safesql commit', parts.join('\n'));
}
