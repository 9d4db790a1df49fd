import { Booster, withBooster, XGBoostError, xgboostVersion } from './index';

// A fixed synthetic task: y = 1 when x0 + x1 > 1 (two uniform features from a seeded generator).
function dataset(n: number, seed: number) {
  let s = seed >>> 0;
  const rand = () => (s = (Math.imul(s ^ (s >>> 15), 1 | s) + 0x6d2b79f5) >>> 0) / 4294967296;
  const data = new Float32Array(n * 2);
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = rand();
    const b = rand();
    data[i * 2] = a;
    data[i * 2 + 1] = b;
    labels[i] = a + b > 1 ? 1 : 0;
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
