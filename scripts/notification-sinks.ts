import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

// For the demo: a local SMTP server that keeps every email as an .eml file, and an HTTP endpoint that
// logs every Slack and webhook call, so the notifier's deliveries really go somewhere on this machine.
// Usage: node dist/scripts/notification-sinks.js DIR SMTP_PORT HTTP_PORT

const [dir = '.demo', smtpPort = '2525', httpPort = '2526'] = process.argv.slice(2);
const mailDir = path.join(dir, 'mail');
mkdirSync(mailDir, { recursive: true });
let mails = 0;

const smtp = new SMTPServer({
  secure: false,
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  // Any login is accepted: it is a local sink, the notifier's SMTP_URL carries demo credentials.
  onAuth: (_auth, _session, cb) => cb(null, { user: 'demo' }),
  onData(stream, session, cb) {
    let raw = '';
    stream.on('data', (c: Buffer) => (raw += c.toString()));
    stream.on('end', () => {
      mails += 1;
      writeFileSync(
        path.join(
          mailDir,
          `${String(mails).padStart(4, '0')}-${session.envelope.rcptTo.map((r) => r.address).join('_')}.eml`,
        ),
        raw,
      );
      cb();
    });
  },
});
smtp.listen(Number(smtpPort), '127.0.0.1');

const hooks = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    appendFileSync(
      path.join(dir, 'hooks.log'),
      `${JSON.stringify({ at: new Date().toISOString(), path: req.url, signature: req.headers['x-ue-signature'] ?? null, body: JSON.parse(body || '{}') as unknown })}\n`,
    );
    res.writeHead(200).end('ok');
  });
});
hooks.listen(Number(httpPort), '127.0.0.1');
process.stdout.write(
  `notification sinks: SMTP 127.0.0.1:${smtpPort} -> ${mailDir}/, HTTP 127.0.0.1:${httpPort} -> ${path.join(dir, 'hooks.log')}\n`,
);
process.on('SIGTERM', () => {
  smtp.close(() => hooks.close(() => process.exit(0)));
});
