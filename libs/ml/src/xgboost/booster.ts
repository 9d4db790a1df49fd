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
  const handle = createDMatrix(m, labels);
  try {
    return use(handle);
  } finally {
    xgb().XGDMatrixFree(handle);
  }
}

/** Rows scored after every round to decide when to stop boosting (never trained on). */
export interface EarlyStopping {
  eval: Matrix;
  labels: Float32Array;
  weights?: Float32Array;
  /** Stop once this many rounds in a row have not beaten the best score. */
  patience: number;
}

export interface BoosterTraining {
  /** Boosting rounds the model holds: the best round's with early stopping. */
  rounds: number;
  /** Rounds boosted before stopping (the kept ones and the `patience` after them). */
  roundsRun: number;
  /** The stopping rows' score (the objective's default metric) at the kept round; null without stopping. */
  stoppingScore: number | null;
}

/** The metrics XGBoost reports by default for the objectives used here; each is better when lower. */
const LOWER_IS_BETTER = new Set(['logloss', 'mlogloss', 'rmse']);

/**
 * The score in XGBoost's evaluation text, "[12]\tstop-logloss:0.2345". Throws for a metric that is not
 * known to be better when lower, rather than stopping the wrong way.
 */
export function evaluationScore(text: string): number {
  const match = /\t[^\t-]+-([a-z@]+):(\S+)\s*$/.exec(text);
  if (!match) throw new XGBoostError('XGBoosterEvalOneIter', `unreadable evaluation "${text}"`);
  const [, metric, value] = match;
  if (!LOWER_IS_BETTER.has(metric!))
    throw new XGBoostError('XGBoosterEvalOneIter', `early stopping does not know metric "${metric}"`);
  const score = Number(value);
  // A NaN score never counts as better: the best round so far is kept.
  return Number.isNaN(score) ? Number.POSITIVE_INFINITY : score;
}

/** A DMatrix with, optionally, labels and weights; the caller frees it. */
function createDMatrix(m: Matrix, labels: Float32Array | null, weights?: Float32Array): unknown {
  if (m.data.length !== m.rows * m.cols)
    throw new RangeError(`matrix of ${m.data.length} values is not ${m.rows} x ${m.cols}`);
  if (labels && labels.length !== m.rows) throw new RangeError(`${labels.length} labels for ${m.rows} rows`);
  if (weights && weights.length !== m.rows)
    throw new RangeError(`${weights.length} weights for ${m.rows} rows`);
  const lib = xgb();
  const out: [unknown] = [null];
  check('XGDMatrixCreateFromMat', lib.XGDMatrixCreateFromMat(m.data, m.rows, m.cols, Number.NaN, out));
  try {
    if (labels)
      check('XGDMatrixSetFloatInfo', lib.XGDMatrixSetFloatInfo(out[0], 'label', labels, labels.length));
    if (weights)
      check('XGDMatrixSetFloatInfo', lib.XGDMatrixSetFloatInfo(out[0], 'weight', weights, weights.length));
    return out[0];
  } catch (err) {
    lib.XGDMatrixFree(out[0]);
    throw err;
  }
}

/**
 * A trained XGBoost model. It holds a native handle: call `dispose()` when done (or use `withBooster`).
 * Models save to XGBoost's UBJ (or JSON) format, which Python's xgboost loads unchanged.
 */
export class Booster {
  /** How `trainAsync` trained it; null for a model loaded or trained otherwise. */
  training: BoosterTraining | null = null;

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
   * per row, weigh each example's gradient (XGBoost's DMatrix `weight`). With `earlyStopping`, its rows are
   * scored after every round and training stops once `patience` rounds in a row have not beaten the best
   * score; the booster returned keeps the rounds up to the best one (`rounds` is at most the maximum).
   */
  static async trainAsync(
    m: Matrix,
    labels: Float32Array,
    params: XgbParams,
    rounds: number,
    opts: { yieldEvery?: number; weights?: Float32Array; earlyStopping?: EarlyStopping } = {},
  ): Promise<Booster> {
    const yieldEvery = opts.yieldEvery ?? 5;
    const stopping = opts.earlyStopping;
    if (stopping && !(Number.isInteger(stopping.patience) && stopping.patience >= 1))
      throw new RangeError(`early stopping needs a patience of at least 1 round, got ${stopping.patience}`);
    const lib = xgb();
    const out: [unknown] = [null];
    const handles: unknown[] = [];
    try {
      const dtrain = createDMatrix(m, labels, opts.weights);
      handles.push(dtrain);
      const deval = stopping ? createDMatrix(stopping.eval, stopping.labels, stopping.weights) : null;
      if (deval) handles.push(deval);
      // Both matrices are given to the booster so that XGBoost caches their predictions between rounds:
      // scoring the stopping rows after a round costs only the new trees.
      check('XGBoosterCreate', lib.XGBoosterCreate(handles, handles.length, out));
      let booster = new Booster(out[0]);
      try {
        for (const [k, v] of Object.entries(params))
          check(`XGBoosterSetParam(${k})`, lib.XGBoosterSetParam(booster.handle, k, String(v)));
        let best = { round: -1, score: Number.POSITIVE_INFINITY };
        let trained = 0;
        for (let i = 0; i < rounds; i++) {
          check('XGBoosterUpdateOneIter', lib.XGBoosterUpdateOneIter(booster.handle, i, dtrain));
          trained = i + 1;
          if (deval) {
            const text: [string | null] = [null];
            check(
              'XGBoosterEvalOneIter',
              lib.XGBoosterEvalOneIter(booster.handle, i, [deval], ['stop'], 1, text),
            );
            const score = evaluationScore(text[0] ?? '');
            if (score < best.score) best = { round: i, score };
            else if (best.round >= 0 && i - best.round >= stopping!.patience) break;
          }
          if ((i + 1) % yieldEvery === 0) await new Promise<void>((r) => setImmediate(r));
        }
        // No round scored at all (every score NaN): nothing to choose by, so every round is boosted and kept.
        const scored = stopping !== undefined && best.round >= 0;
        if (scored && best.round + 1 < trained) {
          // The rounds after the best one made the stopping rows' score worse: keep the model without them.
          check('XGBoosterSlice', lib.XGBoosterSlice(booster.handle, 0, best.round + 1, 1, out));
          const sliced = new Booster(out[0]);
          booster.dispose();
          booster = sliced;
        }
        booster.training = {
          rounds: scored ? best.round + 1 : trained,
          roundsRun: trained,
          stoppingScore: scored ? best.score : null,
        };
        return booster;
      } catch (err) {
        booster.dispose();
        throw err;
      }
    } finally {
      for (const h of handles) lib.XGDMatrixFree(h);
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

  /** Boosting rounds the model holds (a multi-class round is one tree per class). */
  boostedRounds(): number {
    this.assertAlive();
    const out: [number] = [0];
    check('XGBoosterBoostedRounds', xgb().XGBoosterBoostedRounds(this.handle, out));
    return out[0];
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
