import type { PoolClient, Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type CopyValue = string | number | boolean | null;

/** Escapes one value for COPY's text format (tab-separated, \N for null). */
function field(v: CopyValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return /[\\\t\n\r]/.test(v)
    ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : v;
}

/**
 * Streams rows into one table with COPY FROM STDIN. Rows are buffered into ~1 MiB writes and the
 * stream's backpressure is respected, so memory stays bounded whatever the row count.
 */
export class CopyWriter {
  private buffer: string[] = [];
  private bytes = 0;
  private rows = 0;
  private readonly stream: NodeJS.WritableStream & { on: (e: string, cb: (err?: Error) => void) => unknown };
  private readonly done: Promise<void>;

  constructor(client: Client | PoolClient, table: string, columns: readonly string[]) {
    this.stream = client.query(
      copyFrom(`COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN`),
    );
    this.done = new Promise<void>((resolve, reject) => {
      this.stream.on('finish', () => resolve());
      this.stream.on('error', (err) => reject(err ?? new Error(`COPY into ${table} failed`)));
    });
  }

  async write(values: readonly CopyValue[]): Promise<void> {
    let line = '';
    for (let i = 0; i < values.length; i++) line += (i === 0 ? '' : '\t') + field(values[i]!);
    await this.writeLine(`${line}\n`);
  }

  /**
   * Appends one pre-formatted line (tab-separated, ending in a newline). For generated rows whose values
   * are known to need no escaping: the hot path builds lines directly instead of arrays.
   */
  async writeLine(line: string): Promise<void> {
    this.buffer.push(line);
    this.bytes += line.length;
    this.rows += 1;
    if (this.bytes >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    // One join per ~1 MiB: cheaper than growing a string line by line (a deep rope to flatten).
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.bytes = 0;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        this.stream.once('drain', () => resolve());
        this.stream.once('error', (err: Error) => reject(err));
      });
    }
  }

  /** Sends what is buffered and ends the COPY; returns the number of rows written. */
  async end(): Promise<number> {
    await this.flush();
    this.stream.end();
    await this.done;
    return this.rows;
  }
}

/** Copies a whole (small) array of rows. */
export async function copyRows(
  client: Client | PoolClient,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly CopyValue[])[],
): Promise<number> {
  const w = new CopyWriter(client, table, columns);
  for (const r of rows) await w.write(r);
  return w.end();
}
