import { ValidatorConfig } from '../../apps/validator/src/validator.config';
import { ValidatorModule } from '../../apps/validator/src/validator.module';
import { Harness } from './support/harness';

// The outbox backlog gauges (libs/messaging metrics.ts, outbox.ts), scraped from a real service that runs
// as its own PostgreSQL role (ue_validator: no platform scope, row-level security on its tables), so the
// scrape-time query works with exactly the privileges a deployed service has. The alert
// UnionEyesMLOutboxBacklog (deploy/k8s/components/monitoring) reads these two series.
describe('outbox backlog metrics', () => {
  const h = new Harness();
  let url: string;

  beforeAll(async () => {
    await h.start();
    const app = await h.startService('validator', ValidatorConfig, (c, l) => ValidatorModule.forRoot(c, l));
    url = app.url;
  });
  afterAll(async () => {
    await h.stop();
  });

  /** The service's value of one gauge, or undefined when the scrape has none. */
  const scrape = async (): Promise<{ pending?: number; oldest?: number }> => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const value = (name: string) => {
      const m = new RegExp(`^${name}\\{source="validator",service="validator"\\} (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    };
    return { pending: value('ue_outbox_pending_events'), oldest: value('ue_outbox_oldest_pending_seconds') };
  };

  /** An outbox row; `unroutable` rows name a subject no stream captures, so the relay cannot publish them. */
  const addRow = async (source: string, ageSeconds: number, published: boolean): Promise<string> => {
    const [row] = await h.query<{ id: string }>(
      `insert into outbox (id, source, subject, envelope, created_at, published_at)
       values (gen_random_uuid(), $1, 'outboxtest.unroutable', '{"type": "outboxtest.unroutable"}'::jsonb,
               now() - make_interval(secs => $2), case when $3 then now() end)
       returning id`,
      [source, ageSeconds, published],
    );
    return row!.id;
  };

  it('reports an empty outbox as 0 pending, 0 seconds old', async () => {
    expect(await scrape()).toEqual({ pending: 0, oldest: 0 });
  });

  it("counts the service's own unpublished rows and the age of the oldest, and nothing else", async () => {
    const stuck = await addRow('validator', 600, false); // waiting for 10 minutes
    await addRow('validator', 30, false);
    await addRow('validator', 3600, true); // published: not a backlog
    await addRow('trainer', 7200, false); // another service's
    const seen = await scrape();
    expect(seen.pending).toBe(2);
    expect(seen.oldest).toBeGreaterThanOrEqual(600);
    expect(seen.oldest).toBeLessThan(660);

    // The relay really could not publish them: it recorded why, and the rows are still waiting.
    await h.rowsUntil<{ attempts: number }>('select attempts from outbox where id = $1', [stuck], {
      until: ([row]) => (row?.attempts ?? 0) > 0,
      what: 'a failed publish attempt on the unroutable row',
    });

    // Once published, the backlog is gone.
    await h.query(
      `update outbox set published_at = now() where source = 'validator' and published_at is null`,
    );
    expect(await scrape()).toEqual({ pending: 0, oldest: 0 });
    await h.query(`delete from outbox where subject = 'outboxtest.unroutable'`);
  });
});
