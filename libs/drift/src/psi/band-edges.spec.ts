import { DriftMathError, psiBand, resolvePsiThresholds } from '../index';

// Scenario: the band boundaries, exactly. psi < 0.1 stable; 0.1 <= psi <= 0.25 moderate; > 0.25 significant.
describe('PSI bands at their edges', () => {
  it.each([
    [0, 'stable'],
    [0.0999999, 'stable'],
    [0.1, 'moderate'],
    [0.1000001, 'moderate'],
    [0.2499999, 'moderate'],
    [0.25, 'moderate'],
    [0.2500001, 'significant'],
    [0.26, 'significant'],
    [12, 'significant'],
  ])('default thresholds: psi %p is %s', (psi, band) => {
    expect(psiBand(psi)).toBe(band);
  });

  it.each([
    [0.0999999, 'stable'],
    [0.1, 'moderate'],
    [0.2, 'moderate'],
    [0.2000001, 'significant'],
  ])('driftThreshold 0.2: psi %p is %s', (psi, band) => {
    expect(psiBand(psi, { significant: 0.2 })).toBe(band);
  });

  it('lets moderate follow a driftThreshold below 0.1 instead of failing', () => {
    expect(resolvePsiThresholds({ significant: 0.05 })).toEqual({ moderate: 0.05, significant: 0.05 });
    expect(psiBand(0.0499999, { significant: 0.05 })).toBe('stable');
    expect(psiBand(0.05, { significant: 0.05 })).toBe('moderate');
    expect(psiBand(0.0500001, { significant: 0.05 })).toBe('significant');
  });

  it('honours an explicit moderate threshold', () => {
    expect(psiBand(0.05, { moderate: 0.05 })).toBe('moderate');
    expect(psiBand(0.0499, { moderate: 0.05 })).toBe('stable');
  });

  it.each([
    [{ moderate: 0.3, significant: 0.2 }],
    [{ significant: Number.NaN }],
    [{ moderate: -0.1 }],
    [{ significant: Number.POSITIVE_INFINITY }],
  ])('rejects thresholds %p', (thresholds) => {
    expect(() => psiBand(0.1, thresholds)).toThrow(expect.objectContaining({ code: 'INVALID_THRESHOLD' }));
  });

  it.each([[-0.01], [Number.NaN], [Number.POSITIVE_INFINITY]])('rejects psi %p', (psi) => {
    expect(() => psiBand(psi)).toThrow(DriftMathError);
    expect(() => psiBand(psi)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
