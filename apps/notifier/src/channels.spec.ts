import nodemailer from 'nodemailer';
import { smtpTransportUrl } from './channels';

// nodemailer takes its transport options from the URL's query: what the notifier adds, and what it keeps.

type PoolOptions = {
  pool?: boolean;
  maxConnections?: number;
  connectionTimeout?: number;
  greetingTimeout?: number;
  socketTimeout?: number;
  host?: string;
  port?: number;
  auth?: { user: string; pass: string };
};

/** The options nodemailer's pool is built with, from a URL (no connection is made). */
function optionsOf(url: string): PoolOptions {
  const mailer = nodemailer.createTransport(url);
  try {
    return (mailer.transporter as unknown as { options: PoolOptions }).options;
  } finally {
    mailer.close();
  }
}

describe('smtpTransportUrl', () => {
  it('bounds each attempt by NOTIFY_TIMEOUT_MS, keeping host, port and credentials', () => {
    const o = optionsOf(smtpTransportUrl('smtp://ml-alerts:p%40ss%3Aword@mail.local:2525', 750));
    expect(o.pool).toBeUndefined();
    expect(o).toMatchObject({
      connectionTimeout: 750,
      greetingTimeout: 750,
      socketTimeout: 750,
      host: 'mail.local',
      port: 2525,
      auth: { user: 'ml-alerts', pass: 'p@ss:word' },
    });
  });

  it("keeps what the operator's URL says (a pool of connections, a longer socket timeout)", () => {
    const o = optionsOf(
      smtpTransportUrl('smtps://mail.local?pool=true&maxConnections=4&socketTimeout=60000', 750),
    );
    expect(o).toMatchObject({ pool: true, maxConnections: 4, socketTimeout: 60000, greetingTimeout: 750 });
  });
});
