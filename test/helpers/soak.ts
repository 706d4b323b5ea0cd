import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspClient } from './lspClient';
import { heapAfterGc, MEASURED_SERVER, type Memory } from './measuredServer';
import { seededRandom } from './random';

/**
 * A long editing session against the real server over stdio: seeded random typing, pastes,
 * deletions, closing and reopening, hovers, code actions and code lenses on a document kept
 * near `targetChars`. Each edit waits for its diagnostics, as an editor showing them would.
 */

/** Statements whose literals vary, so the server keeps meeting text it has not seen. */
function statementMaker(random: (n: number) => number): () => string {
  const tables = ['orders', 'customers', 'invoices', 'events', 'payments'];
  const table = (): string => tables[random(tables.length)]!;
  const makers: (() => string)[] = [
    () => `INSERT INTO ${table()} (id, note) VALUES (${random(1e6)}, 'note ${random(1e6)}');`,
    () => `UPDATE ${table()} SET status = 'shipped' WHERE id = ${random(1e6)};`,
    () => `DELETE FROM ${table()} WHERE created_at < now() - interval '${random(365)} days';`,
    () => `SELECT id, total FROM ${table()} WHERE total > ${random(1e5)} ORDER BY id LIMIT ${1 + random(100)};`,
    () => `BEGIN;\nUPDATE payments SET amount = amount * 1.0${random(9)} WHERE invoice_id = ${random(1e5)};\nCOMMIT;`,
    () => `UPDATE ${table()} SET flagged = true;`,
    () => `DELETE FROM ${table()};`,
    () => `CREATE TABLE report_${random(1e6)} (id bigserial PRIMARY KEY, label text);`,
    () => `DROP TABLE IF EXISTS report_${random(1e6)};`,
    () =>
      `CREATE FUNCTION touch_${random(1e6)}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  DELETE FROM events;\n  RETURN NEW;\nEND;\n$$;`,
  ];
  return () => makers[random(makers.length)]!();
}

function soakDocument(targetChars: number, seed: number): string {
  const statement = statementMaker(seededRandom(seed));
  const parts: string[] = [];
  for (let length = 0; length < targetChars;) {
    const next = statement();
    parts.push(next);
    length += next.length + 1;
  }
  return `${parts.join('\n')}\n`;
}

/** Characters typed one at a time: the ones that move statement boundaries are among them. */
const TYPED = "abcdefghijklmnopqrstuvwxyz     ;\n'()$-*/,=0123456789";

export class Soak {
  private readonly client: LspClient;
  private readonly random: (n: number) => number;
  private readonly statement: () => string;
  private document: TextDocument;
  private openings = 0;
  done = 0;

  constructor(
    seed: number,
    private readonly targetChars = 100_000,
  ) {
    this.random = seededRandom(seed);
    this.statement = statementMaker(seededRandom(seed + 1));
    this.client = new LspClient({ command: MEASURED_SERVER });
    this.document = TextDocument.create(this.uri(), 'sql', 1, soakDocument(targetChars, seed + 2));
  }

  async start(): Promise<void> {
    await this.client.initialize();
    await this.open();
  }

  /** Runs `count` more steps; every one changes the document, and some also ask something of it. */
  async run(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await this.step();
      this.done++;
      // The client keeps every published report; the soak measures the server, not the client.
      this.client.published.length = 0;
    }
  }

  heapAfterGc(): Promise<Memory> {
    return heapAfterGc(this.client);
  }

  stop(): Promise<void> {
    return this.client.shutdown();
  }

  private uri(): string {
    // A reopening is sometimes of another file: what a closed document held must go with it.
    return `file:///soak/file-${this.openings % 7}.sql`;
  }

  private async open(): Promise<void> {
    const opened = this.client.diagnostics(this.document.uri, (p) => p.version === this.document.version, 60_000);
    await this.client.open(this.document.uri, this.document.getText(), this.document.version);
    await opened;
  }

  private async step(): Promise<void> {
    const length = this.document.getText().length;
    const roll = this.random(100);
    if (length > this.targetChars * 1.1) await this.replace(this.random(length), 1000 + this.random(4000), '');
    else if (length < this.targetChars * 0.9) await this.replace(this.random(length), 0, this.pasted());
    else if (roll < 55) await this.replace(this.random(length), 0, TYPED[this.random(TYPED.length)]!);
    else if (roll < 65) await this.replace(this.random(length), 1 + this.random(200), '');
    else if (roll < 75) await this.replace(this.random(length), this.random(2) * this.random(300), this.pasted());
    else if (roll < 77) await this.replaceWhole();
    else if (roll < 79) await this.reopen();
    else {
      await this.replace(this.random(length), 0, TYPED[this.random(TYPED.length)]!);
      await this.ask(roll);
    }
  }

  private pasted(): string {
    return Array.from({ length: 1 + this.random(4) }, () => this.statement()).join('\n') + '\n';
  }

  private async replace(offset: number, removed: number, text: string): Promise<void> {
    const range = { start: this.document.positionAt(offset), end: this.document.positionAt(offset + removed) };
    await this.change([{ range, text }]);
  }

  /** A whole-text change, as a revert or a formatter sends. */
  private async replaceWhole(): Promise<void> {
    const text = this.document.getText();
    const cut = this.random(text.length);
    await this.change([{ text: `${text.slice(cut)}${text.slice(0, cut)}` }]);
  }

  private async change(changes: TextDocumentContentChangeEvent[]): Promise<void> {
    this.document = TextDocument.update(this.document, changes, this.document.version + 1);
    const version = this.document.version;
    const published = this.client.diagnostics(this.document.uri, (p) => p.version === version, 60_000);
    await this.client.change(this.document.uri, version, changes);
    await published;
  }

  private async reopen(): Promise<void> {
    await this.client.close(this.document.uri);
    this.openings++;
    this.document = TextDocument.create(this.uri(), 'sql', 1, this.document.getText());
    await this.open();
  }

  private async ask(roll: number): Promise<void> {
    const textDocument = { uri: this.document.uri };
    const position = this.document.positionAt(this.random(this.document.getText().length));
    if (roll < 88) await this.client.request('textDocument/hover', { textDocument, position });
    else if (roll < 95) {
      const end = this.document.positionAt(this.document.offsetAt(position) + this.random(2000));
      await this.client.request('textDocument/codeAction', { textDocument, range: { start: position, end }, context: { diagnostics: [] } });
    } else await this.client.request('textDocument/codeLens', { textDocument });
  }
}
