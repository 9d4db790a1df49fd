import { recencyWeights } from './recency';

const asOf = new Date('2030-06-01T00:00:00Z');
const daysBefore = (d: number) => new Date(asOf.getTime() - d * 86_400_000);

describe('recencyWeights', () => {
  it('halves an example per half-life of age, normalised to mean 1', () => {
    // Raw weights 1, 0.5, 0.25, 0.125 (ages 0, 30, 60, 90 days; half-life 30): sum 1.875, mean 0.46875.
    const r = recencyWeights([daysBefore(0), daysBefore(30), daysBefore(60), daysBefore(90)], asOf, 30);
    expect(Array.from(r.weights)).toEqual([
      Math.fround(1 / 0.46875),
      Math.fround(0.5 / 0.46875),
      Math.fround(0.25 / 0.46875),
      Math.fround(0.125 / 0.46875),
    ]);
    // Kish: 1.875^2 / (1 + 0.25 + 0.0625 + 0.015625) = 3.515625 / 1.328125 = 2.6470588...
    expect(r.effectiveSamples).toBeCloseTo(2.6470588, 6);
  });

  it('weighs examples of the same age equally (effective size = count), and later than asOf as at asOf', () => {
    const r = recencyWeights([daysBefore(10), daysBefore(10), daysBefore(-5)], daysBefore(10), 45);
    expect(Array.from(r.weights)).toEqual([1, 1, 1]);
    expect(r.effectiveSamples).toBeCloseTo(3, 10);
  });

  it('refuses a half-life that is not positive', () => {
    expect(() => recencyWeights([asOf], asOf, 0)).toThrow('halfLifeDays must be positive, got 0');
  });
});
