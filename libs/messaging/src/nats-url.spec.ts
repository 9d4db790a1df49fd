import { natsConnectOptions, natsUrlOf } from './nats-url';

describe('NATS_URL', () => {
  it('takes credentials out of the URL, leaving servers that can be logged', () => {
    expect(natsConnectOptions('nats://ue-trainer:s3cr%40t@nats:4222')).toEqual({
      servers: ['nats://nats:4222'],
      user: 'ue-trainer',
      pass: 's3cr@t',
    });
    expect(natsConnectOptions('nats://a:4222,nats://b:4222')).toEqual({
      servers: ['nats://a:4222', 'nats://b:4222'],
    });
    // A password starting with digits must not be read as a port.
    expect(natsConnectOptions('nats://u:4222pw@n:4222').pass).toBe('4222pw');
  });

  it("keeps the credentials Testcontainers' NATS module starts its server with", () => {
    // What StartedNatsContainer.getConnectionOptions() returns for `new NatsContainer(image)`: a bare
    // host:port and its default user and password, without which the server refuses every connection.
    const fromContainer = { servers: 'localhost:32771', user: 'test', pass: 'test' };
    expect(natsUrlOf(fromContainer)).toBe('nats://test:test@localhost:32771');
    expect(natsConnectOptions(natsUrlOf(fromContainer))).toEqual({
      servers: ['nats://localhost:32771'],
      user: 'test',
      pass: 'test',
    });
  });

  it('encodes credentials and keeps every server and its scheme', () => {
    const url = natsUrlOf({ servers: ['nats://a:4222', 'tls://b:4443'], user: 'ue cli', pass: 'p@ss:w/rd' });
    expect(url).toBe('nats://ue%20cli:p%40ss%3Aw%2Frd@a:4222,tls://ue%20cli:p%40ss%3Aw%2Frd@b:4443');
    expect(natsConnectOptions(url)).toEqual({
      servers: ['nats://a:4222', 'tls://b:4443'],
      user: 'ue cli',
      pass: 'p@ss:w/rd',
    });
    expect(natsUrlOf({ servers: '127.0.0.1:4222' })).toBe('nats://127.0.0.1:4222');
  });
});
