/**
 * The long fuzz run (`npm run fuzz`): the checks of test/robustness/fuzz.test.ts for minutes
 * rather than seconds, then a 50 MB document through the real server, which must keep answering
 * while it analyses. Exits 1 on the first failure, with a file to reproduce it.
 */
import { loadGrammar } from '../server/src/sql/grammar';
import { generateSql } from '../bench/generate';
import { LspClient } from '../test/helpers/lspClient';
import { seededRandom } from '../test/helpers/random';
import { checkDocument, fuzzInput, saveReproduction } from '../test/robustness/fuzzing';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 300);
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? Number.POSITIVE_INFINITY);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

async function fuzzInProcess(): Promise<boolean> {
  await loadGrammar();
  const random = seededRandom(SEED);
  const deadline = Date.now() + SECONDS * 1000;
  const started = Date.now();
  let i = 0;
  for (; i < ITERATIONS && Date.now() < deadline; i++) {
    const input = fuzzInput(random);
    try {
      checkDocument(input, random);
    } catch (error) {
      const file = saveReproduction(input);
      console.log(`FAILED at iteration ${i} (FUZZ_SEED=${SEED}): ${(error as Error).message}\nreproduction input: ${file}`);
      return false;
    }
    if (i % 1000 === 999) console.log(`${i + 1} documents, ${((i + 1) / ((Date.now() - started) / 1000)).toFixed(0)}/s`);
  }
  console.log(`in process: ${i} documents in ${((Date.now() - started) / 1000).toFixed(0)} s (seed ${SEED}), no failure`);
  return true;
}

async function fiftyMegabytes(): Promise<boolean> {
  const client = new LspClient();
  try {
    await client.initialize();
    const { text } = generateSql(50_000_000, SEED);
    const uri = 'file:///fuzz/fifty.sql';
    const started = Date.now();
    const published = client.diagnostics(uri, () => true, 300_000);
    await client.open(uri, text);
    // While it analyses, the server must keep answering.
    let answers = 0;
    let slowest = 0;
    let done = false;
    void published.then(() => (done = true));
    while (!done) {
      const asked = Date.now();
      await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
      slowest = Math.max(slowest, Date.now() - asked);
      answers++;
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(
      `50 MB document: diagnostics after ${((Date.now() - started) / 1000).toFixed(1)} s; ${answers} hovers answered meanwhile, slowest ${slowest} ms`,
    );
    return true;
  } catch (error) {
    console.log(`FAILED on the 50 MB document: ${(error as Error).message}`);
    return false;
  } finally {
    await client.shutdown();
  }
}

void (async () => {
  const ok = (await fuzzInProcess()) && (await fiftyMegabytes());
  process.exit(ok ? 0 : 1);
})();
