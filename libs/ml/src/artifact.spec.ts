import { createHash } from 'node:crypto';
import { loadStoredModel } from './artifact';
import { Booster } from './xgboost';
import { XGB_FORMAT } from './xgb-model';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('loadStoredModel', () => {
  // y = x0 on four rows: enough for a model whose prediction is known.
  const m = { data: Float32Array.from([0, 1, 1, 0, 0, 0, 1, 1]), rows: 4, cols: 2 };
  const labels = Float32Array.from([0, 1, 0, 1]);
  const params = { objective: 'binary:logistic', max_depth: 2, seed: 1, nthread: 1, tree_method: 'hist' };

  it('loads a new artifact (UBJ) and one stored before UBJ (JSON) to the same predictions', () => {
    const trained = Booster.train(m, labels, params, 5);
    try {
      const expected = Array.from(trained.predict(m));
      const ubj = trained.save();
      const json = trained.save('json');
      for (const stored of [
        { format: XGB_FORMAT, checksum: sha(ubj), content: ubj },
        { format: 'xgboost-json/1.7', checksum: sha(json), content: json },
      ]) {
        const loaded = loadStoredModel(stored);
        expect(Array.from(loaded.predict(m))).toEqual(expected);
        loaded.dispose();
      }
    } finally {
      trained.dispose();
    }
  });

  it('refuses a format it cannot load, and bytes that do not match their checksum', () => {
    const content = Buffer.from('{}');
    expect(() => loadStoredModel({ format: 'onnx/1', checksum: sha(content), content })).toThrow(
      expect.objectContaining({ code: 'ARTIFACT_FORMAT' }),
    );
    expect(() => loadStoredModel({ format: XGB_FORMAT, checksum: sha(Buffer.from('x')), content })).toThrow(
      expect.objectContaining({ code: 'ARTIFACT_CORRUPT' }),
    );
  });
});
