import { Booster, evaluationScore, withBooster, XGBoostError, xgboostVersion } from './index';

// A fixed synthetic task: y = 1 when x0 + x1 > 1 (two uniform features from a seeded generator).
function dataset(n: number, seed: number, noise = 0) {
  let s = seed >>> 0;
  const rand = () => (s = (Math.imul(s ^ (s >>> 15), 1 | s) + 0x6d2b79f5) >>> 0) / 4294967296;
  const data = new Float32Array(n * 2);
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = rand();
    const b = rand();
    data[i * 2] = a;
    data[i * 2 + 1] = b;
    const y = a + b > 1 ? 1 : 0;
    // With `noise`, that share of labels is flipped: deep trees then overfit after a few rounds.
    labels[i] = rand() < noise ? 1 - y : y;
  }
  return { m: { data, rows: n, cols: 2 }, labels };
}

const params = {
  objective: 'binary:logistic',
  max_depth: 4,
  eta: 0.3,
  seed: 7,
  nthread: 1,
  tree_method: 'hist',
};

describe('XGBoost through its C API', () => {
  it('is the Debian library, version 1.7.4', () => {
    expect(xgboostVersion()).toBe('1.7.4');
  });

  it('learns a simple rule and predicts one probability per row', () => {
    const train = dataset(2000, 1);
    const test = dataset(500, 2);
    withBooster(Booster.train(train.m, train.labels, params, 30), (b) => {
      const p = b.predict(test.m);
      expect(p).toHaveLength(500);
      const correct = p.filter((v, i) => (v > 0.5 ? 1 : 0) === test.labels[i]).length;
      expect(correct / 500).toBeGreaterThan(0.95);
    });
  });

  it('saves to UBJ and JSON and loads either back to identical predictions; training is deterministic', () => {
    const train = dataset(1000, 3);
    const test = dataset(200, 4);
    const a = Booster.train(train.m, train.labels, params, 20);
    const ubj = a.save();
    const json = a.save('json');
    const again = Booster.train(train.m, train.labels, params, 20);
    try {
      expect(JSON.parse(json.toString('utf8')).learner.objective.name).toBe('binary:logistic');
      // UBJ: an object ('{') whose first key is a length-prefixed string, not a quoted one.
      expect(ubj[0]).toBe('{'.charCodeAt(0));
      expect(ubj[1]).not.toBe('"'.charCodeAt(0));
      for (const saved of [ubj, json]) {
        const loaded = Booster.load(saved);
        expect(Array.from(loaded.predict(test.m))).toEqual(Array.from(a.predict(test.m)));
        loaded.dispose();
      }
      expect(again.save().equals(ubj)).toBe(true);
    } finally {
      a.dispose();
      again.dispose();
    }
  });

  it('turns library errors into typed errors and frees handles', () => {
    const train = dataset(100, 5);
    expect(() => Booster.train(train.m, train.labels, { objective: 'no:such' }, 1)).toThrow(XGBoostError);
    expect(() => Booster.train(train.m, train.labels, { objective: 'no:such' }, 1)).toThrow(
      /XGBoosterUpdateOneIter: .*no:such/,
    );
    expect(() => Booster.load(Buffer.from('{"not": "a model"}'))).toThrow(XGBoostError);
    const b = Booster.train(train.m, train.labels, params, 2);
    b.dispose();
    expect(() => b.predict(train.m)).toThrow(/used after dispose/);
    expect(() =>
      Booster.train({ data: new Float32Array(3), rows: 2, cols: 2 }, new Float32Array(2), params, 1),
    ).toThrow(RangeError);
  });
});

describe('early stopping', () => {
  const deep = { ...params, max_depth: 8, eta: 0.5 };

  it('reads the score from XGBoost evaluation text, and refuses metrics it cannot rank', () => {
    expect(evaluationScore('[12]\tstop-logloss:0.2345')).toBe(0.2345);
    expect(evaluationScore('[0]\tstop-mlogloss:1.0986')).toBe(1.0986);
    expect(evaluationScore('[3]\tstop-rmse:12.5\n')).toBe(12.5);
    expect(evaluationScore('[3]\tstop-rmse:nan')).toBe(Number.POSITIVE_INFINITY);
    expect(() => evaluationScore('[3]\tstop-auc:0.9')).toThrow(/does not know metric "auc"/);
    expect(() => evaluationScore('nonsense')).toThrow(XGBoostError);
  });

  it('stops once the stopping rows stop improving, and keeps exactly the best round', async () => {
    const train = dataset(3000, 11, 0.3);
    const stop = dataset(600, 12, 0.3);
    const test = dataset(400, 13);
    const patience = 5;
    const stopped = await Booster.trainAsync(train.m, train.labels, deep, 200, {
      earlyStopping: { eval: stop.m, labels: stop.labels, patience },
    });
    try {
      const t = stopped.training!;
      // Noisy labels and deep trees: the score turns well before 200 rounds.
      expect(t.rounds).toBeGreaterThanOrEqual(1);
      expect(t.rounds).toBeLessThan(100);
      expect(t.roundsRun).toBe(t.rounds + patience);
      expect(t.stoppingScore).toBeGreaterThan(0);
      expect(stopped.boostedRounds()).toBe(t.rounds);
      expect(Booster.load(stopped.save()).boostedRounds()).toBe(t.rounds);
      // The kept model is the model of that many rounds: the same predictions as training just those.
      const exact = await Booster.trainAsync(train.m, train.labels, deep, t.rounds);
      expect(Array.from(stopped.predict(test.m))).toEqual(Array.from(exact.predict(test.m)));
      expect(exact.training).toEqual({ rounds: t.rounds, roundsRun: t.rounds, stoppingScore: null });
      exact.dispose();
    } finally {
      stopped.dispose();
    }
  });

  it('boosts every round when the score keeps improving, and refuses a patience under 1', async () => {
    const train = dataset(2000, 21);
    const stop = dataset(500, 22);
    const b = await Booster.trainAsync(train.m, train.labels, params, 8, {
      earlyStopping: { eval: stop.m, labels: stop.labels, patience: 3 },
    });
    expect(b.training).toMatchObject({ rounds: 8, roundsRun: 8 });
    b.dispose();
    await expect(
      Booster.trainAsync(train.m, train.labels, params, 8, {
        earlyStopping: { eval: stop.m, labels: stop.labels, patience: 0 },
      }),
    ).rejects.toThrow(RangeError);
  });
});
