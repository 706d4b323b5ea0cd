import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Memory } from '../helpers/measuredServer';
import { Soak } from '../helpers/soak';

/**
 * A long editing session must not cost memory per edit: the server's heap after garbage
 * collection is the same after 4,500 random edits as after 1,500, once caches are warm. Before
 * caches were bounded and slices of old texts dropped, each edit kept about 100 KB.
 */

const WARM_UP = 1_500;
const MEASURED = 3_000;
/** What the heap may differ by between the two points: the document's size and findings vary. */
const TOLERANCE_BYTES = 8 * 1024 * 1024;

let soak: Soak;

before(async () => {
  soak = new Soak(4242);
  await soak.start();
});

after(() => soak.stop());

it('holds no more memory after many edits than after a few', { timeout: 180_000 }, async () => {
  await soak.run(WARM_UP);
  const warm: Memory = await soak.heapAfterGc();
  await soak.run(MEASURED);
  const later: Memory = await soak.heapAfterGc();
  const grown = later.heapUsed - warm.heapUsed;
  assert.ok(
    grown < TOLERANCE_BYTES,
    `the heap grew by ${(grown / 1024 / 1024).toFixed(1)} MB over ${MEASURED} edits (${(warm.heapUsed / 1024 / 1024).toFixed(1)} MB → ${(later.heapUsed / 1024 / 1024).toFixed(1)} MB)`,
  );
});
