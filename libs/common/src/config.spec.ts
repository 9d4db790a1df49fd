import { BaseConfig, ConfigError, loadConfig } from './config';

describe('configuration', () => {
  it('uses defaults and converts numbers', () => {
    const c = loadConfig(BaseConfig, { HTTP_PORT: '8080', MAX_DELIVER: '3' });
    expect(c.HTTP_PORT).toBe(8080);
    expect(c.MAX_DELIVER).toBe(3);
    expect(c.DATABASE_URL).toBe('postgresql://postgres:postgres@127.0.0.1:5432/union_eyes');
    expect(c.NATS_URL).toBe('nats://127.0.0.1:4222');
  });

  it('lists every problem at once', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig(BaseConfig, {
        DATABASE_URL: 'mysql://x',
        NATS_URL: 'http://nats',
        HTTP_PORT: 'eighty',
        LOG_LEVEL: 'loud',
      });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'NATS_URL', 'HTTP_PORT', 'LOG_LEVEL']),
    );
    expect(error!.message).toContain('DATABASE_URL must be a postgresql:// URL (value not shown)');
    expect(error!.message).toContain(
      'LOG_LEVEL must be one of the following values: debug, info, warn, error (got "loud")',
    );
  });
});
