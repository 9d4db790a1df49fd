import { Client } from 'pg';
import type { Harness } from '../../integration/support/harness';
import { pollUntil } from '../../integration/support/poll';

export type Backend = {
  pid: number;
  usename: string;
  query: string;
};

/**
 * A transaction of the test's own holding a lock, so that a service blocks at a known point of its
 * handler: the fault (a killed connection, a killed process, a stopped server) then lands there every
 * time, whatever the machine's speed.
 */
export class LockHolder {
  private static readonly held = new Set<LockHolder>();

  private constructor(
    private readonly client: Client,
    readonly pid: number,
  ) {
    LockHolder.held.add(this);
  }

  /** Opens the transaction and runs `sql` in it (which takes the lock). */
  static async hold(sql: string, params: unknown[] = []): Promise<LockHolder> {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    const [row] = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows;
    await client.query('begin');
    await client.query(sql, params);
    return new LockHolder(client, row!.pid);
  }

  /** The backend waiting for this lock while running a statement that matches `statement`. */
  async blocked(h: Harness, statement: RegExp, what: string): Promise<Backend> {
    return pollUntil(
      async () => {
        const rows = await h.query<Backend>(
          `select pid, usename, query from pg_stat_activity where datname = current_database() and $1 = any(pg_blocking_pids(pid))`,
          [this.pid],
        );
        return rows.find((r) => statement.test(r.query)) ?? false;
      },
      { what, timeoutMs: 60_000 },
    );
  }

  async release(): Promise<void> {
    if (!LockHolder.held.delete(this)) return;
    await this.client.query('rollback');
    await this.client.end();
  }

  /** For afterAll: a failed test must not leave services blocked (they could not shut down). */
  static async releaseAll(): Promise<void> {
    await Promise.all([...LockHolder.held].map((l) => l.release()));
  }
}

/** Kills one server process of Postgres (pg_terminate_backend) and waits until it is gone. */
export async function terminateBackend(h: Harness, pid: number): Promise<void> {
  const [row] = await h.query<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [pid]);
  if (!row?.ok) throw new Error(`backend ${pid} could not be terminated`);
  await pollUntil(
    async () => (await h.query('select 1 from pg_stat_activity where pid = $1', [pid])).length === 0,
    { what: `backend ${pid} to end` },
  );
}
