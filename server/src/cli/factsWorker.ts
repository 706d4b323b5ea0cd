import { parentPort } from 'node:worker_threads';
import { factsOf } from '../sql/analyze';
import { loadGrammar } from '../sql/grammar';
import type { FactsRequest, FactsResponse } from './factsPool';

// A worker of the lint pool (bundled to dist/cli-worker.js): reads the facts of batches of
// statement texts with its own instance of PostgreSQL's grammar.
const port = parentPort!;
const ready = loadGrammar();
port.on('message', (request: FactsRequest) => {
  void ready.then(() => {
    let response: FactsResponse;
    try {
      response = { facts: request.texts.map((text) => factsOf(text)) };
    } catch (error) {
      response = { error: (error as Error).message ?? String(error) };
    }
    port.postMessage(response);
  });
});
