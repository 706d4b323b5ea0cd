// A safesql client in its own process, for tests that kill it mid-preview: previews the SQL in
// SAFESQL_TEST_SQL on SAFESQL_TEST_URL, printing "STARTED" just before.
import { DEFAULT_EXECUTION_SETTINGS } from '../../server/src/config/executionSettings';
import { preview } from '../../server/src/exec/preview';
import { loadGrammar } from '../../server/src/sql/grammar';
import { unitOf } from './exec';

async function main(): Promise<void> {
  await loadGrammar();
  const { document, unit } = unitOf(process.env.SAFESQL_TEST_SQL!);
  process.stdout.write('STARTED\n');
  const result = await preview(document, unit, {
    target: { name: 'victim', environment: 'local', url: process.env.SAFESQL_TEST_URL! },
    settings: DEFAULT_EXECUTION_SETTINGS,
  });
  process.stdout.write(`FINISHED ${result.outcome}\n`);
}

void main();
