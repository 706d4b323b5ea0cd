/**
 * Keystroke-to-diagnostics latency of the language server on a ~1 MB file, against squawk's
 * server on the same file and edits, and the server's memory after opening a 10 MB file.
 * Prints figures; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Range } from 'vscode-languageserver-protocol';
import { LspClient, type LspClientOptions } from '../test/helpers/lspClient';
import { heapAfterGc, MEASURED_SERVER } from '../test/helpers/measuredServer';
import { generateSql } from './generate';
import { installSquawk } from './squawk';

const ROOT = resolve(__dirname, '..');
const EDITS = Number(process.env.BENCH_EDITS ?? 60);
const URI = 'file:///bench/mixed.sql';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** One-character edits spread over the file, each in a different statement: a space at the start of its line. */
function edits(text: string): Range[] {
  const lines = text.split('\n');
  const starts = lines.map((line, i) => ({ line, i })).filter(({ line }) => /^(INSERT|UPDATE|DELETE|SELECT|CREATE|ALTER)\b/.test(line));
  return Array.from({ length: EDITS }, (_, k) => {
    const { i } = starts[Math.floor(((k + 0.5) * starts.length) / EDITS)]!;
    return { start: { line: i, character: 0 }, end: { line: i, character: 0 } };
  });
}

/** Rejects when `promise` takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms)),
  ]);
}

/** Opens the document and waits for its first diagnostics; returns how long that took. */
async function openAndWait(client: LspClient, label: string, text: string, pull: boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  if (pull) {
    await client.open(URI, text);
    await within(client.request('textDocument/diagnostic', { textDocument: { uri: URI } }), timeoutMs, label);
  } else {
    const first = client.diagnostics(URI, () => true, timeoutMs);
    await client.open(URI, text);
    await first;
  }
  return performance.now() - started;
}

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

async function measure(label: string, options: LspClientOptions, pull: boolean, text: string): Promise<number[] | undefined> {
  const client = new LspClient(options);
  try {
    await client.initialize();
    const openMs = await openAndWait(client, label, text, pull, 60_000);
    const times: number[] = [];
    let failures = 0;
    for (const [k, range] of edits(text).entries()) {
      const version = k + 2;
      const change = { range, text: ' ' };
      const started = performance.now();
      if (pull) {
        await client.change(URI, version, [change]);
        try {
          await client.request('textDocument/diagnostic', { textDocument: { uri: URI } });
        } catch {
          failures++; // the server answered with an error: not a latency sample
          continue;
        }
      } else {
        const published = client.diagnostics(URI, (p) => p.version === version, 30_000);
        await client.change(URI, version, [change]);
        await published;
      }
      times.push(performance.now() - started);
    }
    console.log(
      `${label}: open → diagnostics ${openMs.toFixed(0)} ms; edit → diagnostics median ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms (${times.length} edits${failures ? `; ${failures} answered with an error` : ''})`,
    );
    return times;
  } catch (error) {
    console.log(`${label}: failed: ${(error as Error).message}`);
    return undefined;
  } finally {
    await client.shutdown();
  }
}

async function memory(label: string, options: LspClientOptions, pull: boolean, text: string, measured = false): Promise<void> {
  const client = new LspClient(options);
  try {
    await client.initialize();
    const ms = await openAndWait(client, label, text, pull, 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    const rss = rssMb(client.process.pid!);
    const heap = measured ? await heapAfterGc(client) : undefined;
    const afterGc = heap
      ? `; after a garbage collection RSS ${(heap.rss / 2 ** 20).toFixed(0)} MB, heap ${(heap.heapUsed / 2 ** 20).toFixed(0)} MB used of ${(heap.heapTotal / 2 ** 20).toFixed(0)} MB`
      : '';
    console.log(`${label}: 10 MB open → diagnostics ${ms.toFixed(0)} ms, RSS ${rss.toFixed(0)} MB (goal ≤ 150 MB)${afterGc}`);
  } catch (error) {
    console.log(`${label}: failed: ${(error as Error).message}`);
  } finally {
    await client.shutdown();
  }
}

async function main(): Promise<void> {
  const { text, statements } = generateSql(800_000, 11);
  console.log(`# language server benchmark: ${(text.length / 1e6).toFixed(2)} MB, ${statements} statements, ${EDITS} one-character edits`);
  const safesql = { command: { file: process.execPath, args: [join(ROOT, 'bin/safesql.js'), 'lsp', '--stdio'] } };
  const pullCapabilities = { textDocument: { diagnostic: { dynamicRegistration: false } } };
  const push = await measure('safesql, push (didChange → publishDiagnostics)', safesql, false, text);
  const pull = await measure(
    'safesql, pull (didChange → textDocument/diagnostic response)',
    { ...safesql, capabilities: pullCapabilities },
    true,
    text,
  );
  const { squawkNpm } = installSquawk();
  const squawk = await measure(
    'squawk server, pull',
    { command: { file: squawkNpm, args: ['server'] }, capabilities: pullCapabilities },
    true,
    text,
  );
  if (squawk && push && pull) {
    const median = percentile(squawk, 50);
    console.log(
      `ratio of medians safesql/squawk: push ${(percentile(push, 50) / median).toFixed(3)}, pull ${(percentile(pull, 50) / median).toFixed(3)} (goal: median ≤ 20 ms and not slower than squawk)`,
    );
  }
  const big = generateSql(10_000_000, 12).text;
  await memory('safesql', { command: MEASURED_SERVER }, false, big, true);
  await memory('squawk server', { command: { file: squawkNpm, args: ['server'] }, capabilities: pullCapabilities }, true, big);
}

void main();
