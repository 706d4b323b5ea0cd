import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { factsOf } from '../sql/analyze';
import { NO_OUTSIDE_EFFECTS, type StatementFacts } from '../sql/statement';

export interface FactsRequest {
  texts: string[];
}

export type FactsResponse = { facts: StatementFacts[] } | { error: string };

interface Task {
  texts: string[];
  resolve: (facts: StatementFacts[]) => void;
  reject: (error: Error) => void;
}

/** The worker's bundle, next to the CLI's; absent when the CLI runs from source (then no pool). */
export const WORKER_SCRIPT = join(__dirname, 'cli-worker.js');

/**
 * Reads statement facts on worker threads and on the main thread alike: batches wait in one queue,
 * an idle worker takes the next, and the main thread takes one whenever it has nothing else to do.
 * A worker that fails leaves its batch to the others, so a pool never loses work.
 */
export class FactsPool {
  private readonly queue: Task[] = [];
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Task>();
  private readonly workers = new Set<Worker>();
  private localScheduled = false;

  static canStart(): boolean {
    return existsSync(WORKER_SCRIPT);
  }

  constructor(workers: number) {
    for (let i = 0; i < workers; i++) this.startWorker();
  }

  facts(texts: string[]): Promise<StatementFacts[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ texts, resolve, reject });
      this.dispatch();
      this.scheduleLocal();
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((worker) => worker.terminate()));
  }

  private startWorker(): void {
    const worker = new Worker(WORKER_SCRIPT);
    this.workers.add(worker);
    // It takes no batch before it is online, so a slow start only leaves more to the others.
    worker.once('online', () => {
      this.idle.push(worker);
      this.dispatch();
    });
    worker.on('message', (response: FactsResponse) => {
      const task = this.running.get(worker);
      this.running.delete(worker);
      this.idle.push(worker);
      if (task) {
        if ('error' in response) task.reject(new Error(response.error));
        else task.resolve(response.facts.map(shareEmpty));
      }
      this.dispatch();
    });
    const lost = (): void => {
      if (!this.workers.delete(worker)) return;
      const task = this.running.get(worker);
      this.running.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      if (task) {
        this.queue.unshift(task);
        this.scheduleLocal();
      }
    };
    worker.on('error', lost);
    worker.on('exit', lost);
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const task = this.queue.shift()!;
      this.running.set(worker, task);
      worker.postMessage({ texts: task.texts } satisfies FactsRequest);
    }
  }

  private scheduleLocal(): void {
    if (this.localScheduled || this.queue.length === 0) return;
    this.localScheduled = true;
    setImmediate(() => {
      this.localScheduled = false;
      const task = this.queue.shift();
      if (!task) return;
      try {
        task.resolve(task.texts.map((text) => factsOf(text)));
      } catch (error) {
        task.reject(error as Error);
      }
      this.scheduleLocal();
    });
  }
}

/** Facts come back from a worker as copies: the common empty list is shared again, as at home. */
function shareEmpty(facts: StatementFacts): StatementFacts {
  if (facts.outsideEffects.length === 0) facts.outsideEffects = NO_OUTSIDE_EFFECTS;
  return facts;
}
