import { natsConnectOptions } from './nats-url';

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
});
