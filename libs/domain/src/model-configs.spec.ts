import { MODEL_CONFIGS, MODEL_TYPES, trainingHalfLifeDays } from './index';

describe('trainingHalfLifeDays', () => {
  it('is the short half-life when the episode includes an accuracy breach, the usual one otherwise', () => {
    for (const m of MODEL_TYPES) {
      const cfg = MODEL_CONFIGS[m];
      expect(cfg.breachHalfLifeDays).toBeLessThan(cfg.trainingHalfLifeDays);
      expect(trainingHalfLifeDays(m, 'accuracy')).toBe(cfg.breachHalfLifeDays);
      expect(trainingHalfLifeDays(m, 'drift_and_accuracy')).toBe(cfg.breachHalfLifeDays);
      expect(trainingHalfLifeDays(m, 'drift')).toBe(cfg.trainingHalfLifeDays);
      expect(trainingHalfLifeDays(m)).toBe(cfg.trainingHalfLifeDays);
    }
    expect([
      trainingHalfLifeDays('claim_outcome'),
      trainingHalfLifeDays('claim_outcome', 'accuracy'),
    ]).toEqual([60, 7]);
  });
});
