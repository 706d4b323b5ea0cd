/**
 * The language server through a long editing session of a ~100 KB document: 100,000 seeded
 * random edits (BENCH_EDITS to change), with the server's RSS and heap after garbage collection
 * every tenth of the way. Prints figures; asserts nothing.
 */
import { Soak } from '../test/helpers/soak';

const EDITS = Number(process.env.BENCH_EDITS ?? 100_000);
const CHECKPOINTS = 10;

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  console.log(`# language server soak: ${EDITS} seeded random edits of a ~100 KB document (goal: RSS ≤ 150 MB, flat after warm-up)`);
  const soak = new Soak(20_261_201);
  await soak.start();
  const started = performance.now();
  try {
    const report = async (): Promise<void> => {
      const memory = await soak.heapAfterGc();
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      console.log(
        `after ${String(soak.done).padStart(7)} edits: RSS ${mb(memory.rss)}, heap ${mb(memory.heapUsed)}, external ${mb(memory.external)} (${seconds} s)`,
      );
    };
    await report();
    for (let checkpoint = 1; checkpoint <= CHECKPOINTS; checkpoint++) {
      await soak.run(Math.round((EDITS * checkpoint) / CHECKPOINTS) - soak.done);
      await report();
    }
  } finally {
    await soak.stop();
  }
}

void main();
