import type { PoolClient, Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type CopyValue = string | number | boolean | null;

const CHUNK = 1 << 20;

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
 * Lines of COPY text kept as Buffers rather than strings (generated rows held for a moment, such as a
 * batch's predictions waiting for the claims COPY to end): no long-lived strings for the GC to trace.
 */
export class LineBuffer {
  readonly chunks: Buffer[] = [];
  private buffer = Buffer.allocUnsafe(CHUNK);
  private offset = 0;

  push(line: string): void {
    if (this.offset + line.length * 3 > this.buffer.length) this.seal();
    this.offset += this.buffer.write(line, this.offset, 'utf8');
  }

  /** Closes the current chunk; returns every chunk written so far. */
  seal(): Buffer[] {
    if (this.offset > 0) {
      this.chunks.push(this.buffer.subarray(0, this.offset));
      this.buffer = Buffer.allocUnsafe(CHUNK);
      this.offset = 0;
    }
    return this.chunks;
  }
}

/**
 * Streams rows into one table with COPY FROM STDIN. Rows are buffered into ~1 MiB writes and the
 * stream's backpressure is respected, so memory stays bounded whatever the row count.
 */
export class CopyWriter {
  private buffer = Buffer.allocUnsafe(CHUNK);
  private offset = 0;
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
    // Each line goes straight into a 1 MiB buffer: far cheaper than joining many small strings (the
    // template literals are ropes, and flattening them in one big join dominated the seeder's time).
    if (this.offset + line.length * 3 > this.buffer.length) await this.flush();
    this.offset += this.buffer.write(line, this.offset, 'utf8');
    this.rows += 1;
  }

  private async flush(): Promise<void> {
    if (this.offset === 0) return;
    const chunk = this.buffer.subarray(0, this.offset);
    // The stream keeps the chunk until it is sent: start a new buffer rather than reuse this one.
    this.buffer = Buffer.allocUnsafe(CHUNK);
    this.offset = 0;
    await this.send(chunk);
  }

  /** Writes to the COPY stream, waiting when it asks for backpressure. */
  private async send(chunk: Buffer): Promise<void> {
    if (this.stream.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      this.stream.once('drain', () => resolve());
      this.stream.once('error', (err: Error) => reject(err));
    });
  }

  /** Sends pre-encoded chunks of `rows` lines. */
  async writeChunks(chunks: readonly Buffer[], rows: number): Promise<void> {
    await this.flush();
    for (const chunk of chunks) await this.send(chunk);
    this.rows += rows;
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
