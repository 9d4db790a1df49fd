import koffi from 'koffi';

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

/** The library name, overridable for machines where it lives elsewhere. */
export const XGBOOST_LIBRARY = process.env.XGBOOST_LIBRARY ?? 'libxgboost.so.0';

export function xgb(): XgbNative {
  if (loaded) return loaded;
  const lib = koffi.load(XGBOOST_LIBRARY);
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
