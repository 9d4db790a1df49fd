import { xgb } from './native';

/** A failed XGBoost call, with the library's own message (XGBGetLastError). */
/**
 * Why XGBoost failed. The message edge maps them (libs/messaging error-disposition), so they are part of
 * the API: `XGBOOST_CALL_FAILED` the C API refused a call (bad parameters, data or model bytes: the same
 * input fails the same way), `XGBOOST_DISPOSED` a booster used after it was freed (a bug).
 */
export type XGBoostErrorCode = 'XGBOOST_CALL_FAILED' | 'XGBOOST_DISPOSED';

export class XGBoostError extends Error {
  constructor(
    readonly call: string,
    message: string,
    readonly code: XGBoostErrorCode = 'XGBOOST_CALL_FAILED',
  ) {
    super(`${call}: ${message}`);
    this.name = 'XGBoostError';
  }
}

function check(call: string, rc: number): void {
  if (rc !== 0) throw new XGBoostError(call, xgb().XGBGetLastError());
}

/** Rows of features, row-major, NaN for missing. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

export type XgbParams = Record<string, string | number>;

/** Creates a DMatrix, hands it to `use`, and always frees it. */
function withDMatrix<T>(m: Matrix, labels: Float32Array | null, use: (handle: unknown) => T): T {
  if (m.data.length !== m.rows * m.cols)
    throw new RangeError(`matrix of ${m.data.length} values is not ${m.rows} x ${m.cols}`);
  const lib = xgb();
  const out: [unknown] = [null];
  check('XGDMatrixCreateFromMat', lib.XGDMatrixCreateFromMat(m.data, m.rows, m.cols, Number.NaN, out));
  const handle = out[0];
  try {
    if (labels) {
      if (labels.length !== m.rows) throw new RangeError(`${labels.length} labels for ${m.rows} rows`);
      check('XGDMatrixSetFloatInfo', lib.XGDMatrixSetFloatInfo(handle, 'label', labels, labels.length));
    }
    return use(handle);
  } finally {
    lib.XGDMatrixFree(handle);
  }
}

/**
 * A trained XGBoost model. It holds a native handle: call `dispose()` when done (or use `withBooster`).
 * Models save to XGBoost's UBJ (or JSON) format, which Python's xgboost loads unchanged.
 */
export class Booster {
  private constructor(private handle: unknown) {}

  static train(
    m: Matrix,
    labels: Float32Array,
    params: XgbParams,
    rounds: number,
    onRound?: (round: number) => void,
  ): Booster {
    return withDMatrix(m, labels, (dtrain) => {
      const lib = xgb();
      const out: [unknown] = [null];
      check('XGBoosterCreate', lib.XGBoosterCreate([dtrain], 1, out));
      const booster = new Booster(out[0]);
      try {
        for (const [k, v] of Object.entries(params))
          check(`XGBoosterSetParam(${k})`, lib.XGBoosterSetParam(booster.handle, k, String(v)));
        for (let i = 0; i < rounds; i++) {
          check('XGBoosterUpdateOneIter', lib.XGBoosterUpdateOneIter(booster.handle, i, dtrain));
          onRound?.(i);
        }
        return booster;
      } catch (err) {
        booster.dispose();
        throw err;
      }
    });
  }

  /**
   * Like `train`, but yields to the event loop every `yieldEvery` rounds, so that timers (heartbeats of the
   * JetStream message and of the training run's lease) keep running during a long training. `weights`, one
   * per row, weigh each example's gradient (XGBoost's DMatrix `weight`).
   */
  static async trainAsync(
    m: Matrix,
    labels: Float32Array,
    params: XgbParams,
    rounds: number,
    opts: { yieldEvery?: number; weights?: Float32Array } = {},
  ): Promise<Booster> {
    const yieldEvery = opts.yieldEvery ?? 5;
    const lib = xgb();
    const out: [unknown] = [null];
    const dm: [unknown] = [null];
    if (m.data.length !== m.rows * m.cols)
      throw new RangeError(`matrix of ${m.data.length} values is not ${m.rows} x ${m.cols}`);
    if (labels.length !== m.rows) throw new RangeError(`${labels.length} labels for ${m.rows} rows`);
    const { weights } = opts;
    if (weights && weights.length !== m.rows)
      throw new RangeError(`${weights.length} weights for ${m.rows} rows`);
    check('XGDMatrixCreateFromMat', lib.XGDMatrixCreateFromMat(m.data, m.rows, m.cols, Number.NaN, dm));
    try {
      check('XGDMatrixSetFloatInfo', lib.XGDMatrixSetFloatInfo(dm[0], 'label', labels, labels.length));
      if (weights)
        check('XGDMatrixSetFloatInfo', lib.XGDMatrixSetFloatInfo(dm[0], 'weight', weights, weights.length));
      check('XGBoosterCreate', lib.XGBoosterCreate([dm[0]], 1, out));
      const booster = new Booster(out[0]);
      try {
        for (const [k, v] of Object.entries(params))
          check(`XGBoosterSetParam(${k})`, lib.XGBoosterSetParam(booster.handle, k, String(v)));
        for (let i = 0; i < rounds; i++) {
          check('XGBoosterUpdateOneIter', lib.XGBoosterUpdateOneIter(booster.handle, i, dm[0]));
          if ((i + 1) % yieldEvery === 0) await new Promise<void>((r) => setImmediate(r));
        }
        return booster;
      } catch (err) {
        booster.dispose();
        throw err;
      }
    } finally {
      lib.XGDMatrixFree(dm[0]);
    }
  }

  /** Loads a model saved by `save` in either format (XGBoost tells them apart by their second byte). */
  static load(json: Buffer): Booster {
    const lib = xgb();
    const out: [unknown] = [null];
    check('XGBoosterCreate', lib.XGBoosterCreate([], 0, out));
    const booster = new Booster(out[0]);
    try {
      check(
        'XGBoosterLoadModelFromBuffer',
        lib.XGBoosterLoadModelFromBuffer(booster.handle, json, json.length),
      );
      return booster;
    } catch (err) {
      booster.dispose();
      throw err;
    }
  }

  /** Raw predictions: one value per row, or one per row and class for multi:softprob (row-major). */
  predict(m: Matrix): Float32Array {
    this.assertAlive();
    return withDMatrix(m, null, (dmat) => {
      const lib = xgb();
      const len: [number] = [0];
      const ptr: [unknown] = [null];
      check('XGBoosterPredict', lib.XGBoosterPredict(this.handle, dmat, 0, 0, 0, len, ptr));
      return lib.decodeFloats(ptr[0], Number(len[0]));
    });
  }

  /**
   * The model in one of XGBoost's own formats: `ubj` (Universal Binary JSON, the default: loads 3-7 times
   * faster than JSON, docs/benchmarks.md) or `json`. Python's xgboost loads either unchanged.
   */
  save(format: 'ubj' | 'json' = 'ubj'): Buffer {
    this.assertAlive();
    const lib = xgb();
    const len: [number] = [0];
    const ptr: [unknown] = [null];
    check(
      'XGBoosterSaveModelToBuffer',
      lib.XGBoosterSaveModelToBuffer(this.handle, `{"format": "${format}"}`, len, ptr),
    );
    return lib.decodeBytes(ptr[0], Number(len[0]));
  }

  /** Sets a parameter of a loaded model, e.g. `nthread` for prediction (a model keeps its training's). */
  setParam(key: string, value: string | number): void {
    this.assertAlive();
    check(`XGBoosterSetParam(${key})`, xgb().XGBoosterSetParam(this.handle, key, String(value)));
  }

  /** String attributes saved inside the model (`learner.attributes`); Python's xgboost reads them too. */
  setAttr(key: string, value: string): void {
    this.assertAlive();
    check('XGBoosterSetAttr', xgb().XGBoosterSetAttr(this.handle, key, value));
  }

  getAttr(key: string): string | null {
    this.assertAlive();
    const out: [string | null] = [null];
    const ok: [number] = [0];
    check('XGBoosterGetAttr', xgb().XGBoosterGetAttr(this.handle, key, out, ok));
    return ok[0] ? out[0] : null;
  }

  dispose(): void {
    if (this.handle === null) return;
    xgb().XGBoosterFree(this.handle);
    this.handle = null;
  }

  private assertAlive(): void {
    if (this.handle === null) throw new XGBoostError('Booster', 'used after dispose()', 'XGBOOST_DISPOSED');
  }
}

/** Runs `use` with a booster and always frees it. */
export function withBooster<T>(booster: Booster, use: (b: Booster) => T): T {
  try {
    return use(booster);
  } finally {
    booster.dispose();
  }
}
