import { fastIso } from './seeding.service';
import { Random } from './random';

describe('fastIso', () => {
  it('formats exactly like Date.toISOString', () => {
    const rnd = new Random(3);
    const samples = [
      0,
      86_399_999,
      86_400_000,
      Date.UTC(2026, 10, 26, 23, 59, 59, 999),
      Date.UTC(2024, 1, 29, 0, 0, 0, 7),
    ];
    for (let i = 0; i < 2000; i++) samples.push(Date.UTC(2025, 0, 1) + rnd.next() * 600 * 86_400_000);
    for (const t of samples) expect(fastIso(t)).toBe(new Date(t).toISOString());
  });
});
