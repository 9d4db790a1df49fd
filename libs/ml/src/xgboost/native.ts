import koffi from 'koffi';
import type { LibraryHandle } from 'koffi';
import { PrerequisiteError } from '@app/common';

// The XGBoost C API (Debian's libxgboost0, XGBoost 1.7.4) through koffi. Loaded on first use, so code
// that never trains does not need the library. Only the calls this project uses are declared.

type Pointer = unknown;
type Out<T> = [T];

export interface XgbNative {
  XGBGetLastError(): string;
  XGBoostVersion(major: Out<number>, minor: Out<number>, patch: Out<number>): void;
  XGDMatrixCreateFromMat(
    data: Float32Array,
    nrow: number,
    ncol: number,
    missing: number,
    out: Out<Pointer>,
  ): number;
  XGDMatrixSetFloatInfo(handle: Pointer, field: string, array: Float32Array, len: number): number;
  XGDMatrixFree(handle: Pointer): number;
  XGBoosterCreate(dmats: Pointer[], len: number, out: Out<Pointer>): number;
  XGBoosterFree(handle: Pointer): number;
  XGBoosterSetParam(handle: Pointer, name: string, value: string): number;
  XGBoosterUpdateOneIter(handle: Pointer, iter: number, dtrain: Pointer): number;
  XGBoosterEvalOneIter(
    handle: Pointer,
    iter: number,
    dmats: Pointer[],
    names: string[],
    len: number,
    out: Out<string | null>,
  ): number;
  XGBoosterSlice(handle: Pointer, begin: number, end: number, step: number, out: Out<Pointer>): number;
  XGBoosterBoostedRounds(handle: Pointer, out: Out<number>): number;
  XGBoosterPredict(
    handle: Pointer,
    dmat: Pointer,
    optionMask: number,
    ntreeLimit: number,
    training: number,
    outLen: Out<number>,
    outResult: Out<Pointer>,
  ): number;
  XGBoosterSaveModelToBuffer(
    handle: Pointer,
    config: string,
    outLen: Out<number>,
    outDptr: Out<Pointer>,
  ): number;
  XGBoosterLoadModelFromBuffer(handle: Pointer, buf: Buffer, len: number): number;
  XGBoosterSetAttr(handle: Pointer, key: string, value: string): number;
  XGBoosterGetAttr(handle: Pointer, key: string, out: Out<string | null>, success: Out<number>): number;
  decodeFloats(ptr: Pointer, len: number): Float32Array;
  decodeBytes(ptr: Pointer, len: number): Buffer;
}

let loaded: XgbNative | null = null;
/**
 * Code without a service config (the booster tests, bench:train) follows the same XGBOOST_LIBRARY the
 * services read into theirs, so the advice "set XGBOOST_LIBRARY" holds everywhere.
 */
const fromEnvironment = process.env.XGBOOST_LIBRARY || undefined;
let configured: string | undefined = fromEnvironment;

/**
 * What to do when the library is missing. scripts/prerequisites.sh prints the same text (a unit test
 * keeps the two equal), so the demo, the tests and a failing service all give the same advice.
 */
export const XGBOOST_INSTALL_HINT = [
  "XGBoost's native library (libxgboost) was not found; the trainer, the validator and the scorer need it.",
  '  Debian/Ubuntu:    sudo apt-get install -y libxgboost0',
  '  macOS (Homebrew): brew install xgboost',
  '  Installed elsewhere: set XGBOOST_LIBRARY to the library file (libxgboost.so.0 or libxgboost.dylib).',
].join('\n');

/** The library could not be loaded: names what was tried and how to install it. Not worth retrying. */
export class XgboostUnavailableError extends PrerequisiteError {
  constructor(
    readonly tried: string[],
    cause: unknown,
  ) {
    super(
      'XGBOOST_UNAVAILABLE',
      `cannot load XGBoost (tried ${tried.join(', ')}): ${cause instanceof Error ? cause.message : String(cause)}\n${XGBOOST_INSTALL_HINT}`,
      { cause },
    );
    this.name = 'XgboostUnavailableError';
  }
}

/**
 * Where to look, in order: the configured file (XGBOOST_LIBRARY) alone, or the platform's usual places.
 * Linux asks the dynamic loader for Debian's `libxgboost.so.0`; macOS has no such search path for
 * Homebrew, whose prefix differs between Apple silicon and Intel. scripts/prerequisites.sh looks in the
 * same places.
 */
export function xgboostCandidates(library: string | undefined, platform: NodeJS.Platform): string[] {
  if (library) return [library];
  if (platform === 'darwin')
    return [
      '/opt/homebrew/lib/libxgboost.dylib',
      '/usr/local/lib/libxgboost.dylib',
      '/opt/homebrew/opt/xgboost/lib/libxgboost.dylib',
      '/usr/local/opt/xgboost/lib/libxgboost.dylib',
      'libxgboost.dylib',
    ];
  return ['libxgboost.so.0', 'libxgboost.so'];
}

/**
 * Sets the library file (a service's XGBOOST_LIBRARY, read once with its config) before first use;
 * empty means the environment's XGBOOST_LIBRARY, else the platform's usual places.
 */
export function configureXgboost(library: string | undefined): void {
  const wanted = library || fromEnvironment;
  if (loaded && wanted !== configured) loaded = null;
  configured = wanted;
}

function openLibrary(): LibraryHandle {
  const tried = xgboostCandidates(configured, process.platform);
  let last: unknown;
  for (const candidate of tried) {
    try {
      return koffi.load(candidate);
    } catch (err) {
      last = err;
    }
  }
  throw new XgboostUnavailableError(tried, last);
}

export function xgb(): XgbNative {
  if (loaded) return loaded;
  const lib = openLibrary();
  const f = (proto: string) => lib.func(proto) as (...args: unknown[]) => unknown;
  const fns = {
    XGBGetLastError: f('const char *XGBGetLastError()'),
    XGBoostVersion: f('void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)'),
    XGDMatrixCreateFromMat: f(
      'int XGDMatrixCreateFromMat(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ void **out)',
    ),
    XGDMatrixSetFloatInfo: f(
      'int XGDMatrixSetFloatInfo(void *handle, const char *field, const float *array, uint64_t len)',
    ),
    XGDMatrixFree: f('int XGDMatrixFree(void *handle)'),
    XGBoosterCreate: f('int XGBoosterCreate(void **dmats, uint64_t len, _Out_ void **out)'),
    XGBoosterFree: f('int XGBoosterFree(void *handle)'),
    XGBoosterSetParam: f('int XGBoosterSetParam(void *handle, const char *name, const char *value)'),
    XGBoosterUpdateOneIter: f('int XGBoosterUpdateOneIter(void *handle, int iter, void *dtrain)'),
    XGBoosterEvalOneIter: f(
      'int XGBoosterEvalOneIter(void *handle, int iter, void **dmats, const char **names, uint64_t len, _Out_ const char **out)',
    ),
    XGBoosterBoostedRounds: f('int XGBoosterBoostedRounds(void *handle, _Out_ int *out)'),
    XGBoosterSlice: f('int XGBoosterSlice(void *handle, int begin, int end, int step, _Out_ void **out)'),
    XGBoosterPredict: f(
      'int XGBoosterPredict(void *handle, void *dmat, int option_mask, unsigned int ntree_limit, int training, _Out_ uint64_t *out_len, _Out_ void **out_result)',
    ),
    XGBoosterSaveModelToBuffer: f(
      'int XGBoosterSaveModelToBuffer(void *handle, const char *config, _Out_ uint64_t *out_len, _Out_ void **out_dptr)',
    ),
    XGBoosterLoadModelFromBuffer: f(
      'int XGBoosterLoadModelFromBuffer(void *handle, const void *buf, uint64_t len)',
    ),
    XGBoosterSetAttr: f('int XGBoosterSetAttr(void *handle, const char *key, const char *value)'),
    XGBoosterGetAttr: f(
      'int XGBoosterGetAttr(void *handle, const char *key, _Out_ const char **out, _Out_ int *success)',
    ),
  };
  loaded = {
    ...(fns as unknown as Omit<XgbNative, 'decodeFloats' | 'decodeBytes'>),
    // The library owns these buffers until the next call on the same handle: copy them out at once.
    decodeFloats: (ptr, len) =>
      Float32Array.from(koffi.decode(ptr, koffi.array('float', len, 'Typed')) as Float32Array),
    decodeBytes: (ptr, len) =>
      Buffer.from(koffi.decode(ptr, koffi.array('uint8_t', len, 'Typed')) as Uint8Array),
  };
  return loaded;
}

export function xgboostVersion(): string {
  const [a, b, c]: [Out<number>, Out<number>, Out<number>] = [[0], [0], [0]];
  xgb().XGBoostVersion(a, b, c);
  return `${a[0]}.${b[0]}.${c[0]}`;
}

/**
 * Loads the library now (a service's start-up), so a machine without it stops the service with
 * XgboostUnavailableError's advice instead of failing every training or validation later. Returns the
 * library's version.
 */
export function requireXgboost(library: string | undefined): string {
  configureXgboost(library);
  return xgboostVersion();
}
