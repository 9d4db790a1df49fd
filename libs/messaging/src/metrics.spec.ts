import { MessagingMetrics } from './metrics';
import { ServiceInfo } from './service-info';

// The outbox backlog gauges are read at scrape time; a failing or hanging source must never fail the
// scrape (/metrics answers while PostgreSQL is down), and must not report a misleading 0 either.
describe('MessagingMetrics outbox backlog', () => {
  const line = (text: string, name: string) =>
    new RegExp(`^${name}\\{source="svc",service="svc"\\} (\\S+)$`, 'm').exec(text)?.[1];

  it('reports the source once per scrape for both gauges', async () => {
    const m = new MessagingMetrics(new ServiceInfo('svc'));
    const source = jest.fn().mockResolvedValue({ pending: 3, oldestSeconds: 42.5 });
    m.setOutboxSource(source);
    const text = await m.registry.metrics();
    expect(line(text, 'ue_outbox_pending_events')).toBe('3');
    expect(line(text, 'ue_outbox_oldest_pending_seconds')).toBe('42.5');
    expect(source).toHaveBeenCalledTimes(1);
  });

  it('leaves both out, and still answers, when the source fails', async () => {
    const m = new MessagingMetrics(new ServiceInfo('svc'));
    m.setOutboxSource(() => Promise.reject(new Error('connection refused')));
    const text = await m.registry.metrics();
    expect(line(text, 'ue_outbox_pending_events')).toBeUndefined();
    expect(line(text, 'ue_outbox_oldest_pending_seconds')).toBeUndefined();
    expect(text).toContain('ue_events_handled_total');
  });

  it('gives up on a source that hangs, within the scrape', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    try {
      const m = new MessagingMetrics(new ServiceInfo('svc'));
      m.setOutboxSource(() => new Promise(() => undefined));
      const scrape = m.registry.metrics();
      await jest.advanceTimersByTimeAsync(3000);
      expect(line(await scrape, 'ue_outbox_pending_events')).toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});
