import { before, describe, it } from 'node:test';
import { loadGrammar } from '../../server/src/sql/grammar';
import { seededRandom } from '../helpers/random';
import { checkDocument, fuzzInput, saveReproduction } from './fuzzing';

/** A bounded fuzz run in every `npm test`; `npm run fuzz` runs the same checks for minutes. */
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 250);
const SEED = Number(process.env.FUZZ_SEED ?? 1127);

describe('fuzzing the front end, rules and editor features', () => {
  before(() => loadGrammar());

  it(`survives ${ITERATIONS} mutated and random documents (seed ${SEED})`, () => {
    const random = seededRandom(SEED);
    for (let i = 0; i < ITERATIONS; i++) {
      const input = fuzzInput(random);
      try {
        checkDocument(input, random);
      } catch (error) {
        const file = saveReproduction(input);
        throw new Error(`iteration ${i} (seed ${SEED}) failed, input in ${file}: ${(error as Error).message}`);
      }
    }
  });
});
