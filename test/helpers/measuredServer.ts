import { resolve } from 'node:path';
import type { LspClient } from './lspClient';

/** The built `safesql lsp --stdio`, able to report its memory after a garbage collection (see heapReport.cjs). */
export const MEASURED_SERVER = {
  file: process.execPath,
  args: ['--expose-gc', '--require', resolve(__dirname, 'heapReport.cjs'), resolve(__dirname, '../../bin/safesql.js'), 'lsp', '--stdio'],
};

export interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

/** The memory of a server started as MEASURED_SERVER, after a garbage collection. */
export async function heapAfterGc(client: LspClient): Promise<Memory> {
  const logged = client.logs.length;
  process.kill(client.process.pid!, 'SIGUSR2');
  for (let waited = 0; waited < 10_000; waited += 20) {
    const report = /heap-after-gc (\{.*\})\n/.exec(client.logs.slice(logged).join(''));
    if (report) return JSON.parse(report[1]!) as Memory;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the server reported no memory; logs: ${client.logs.join('')}`);
}
