import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  configureXgboost,
  XGBOOST_INSTALL_HINT,
  xgboostCandidates,
  xgboostVersion,
  XgboostUnavailableError,
} from './native';

describe("finding XGBoost's C library", () => {
  afterEach(() => configureXgboost(undefined));

  it('looks only where XGBOOST_LIBRARY says when it is set', () => {
    expect(xgboostCandidates('/opt/xgb/libxgboost.so', 'linux')).toEqual(['/opt/xgb/libxgboost.so']);
    expect(xgboostCandidates('/opt/xgb/libxgboost.dylib', 'darwin')).toEqual(['/opt/xgb/libxgboost.dylib']);
  });

  it("asks the loader for Debian's libxgboost.so.0 on Linux", () => {
    expect(xgboostCandidates(undefined, 'linux')).toEqual(['libxgboost.so.0', 'libxgboost.so']);
  });

  it("looks in Homebrew's prefixes on macOS (Apple silicon first, then Intel)", () => {
    expect(xgboostCandidates(undefined, 'darwin')).toEqual([
      '/opt/homebrew/lib/libxgboost.dylib',
      '/usr/local/lib/libxgboost.dylib',
      '/opt/homebrew/opt/xgboost/lib/libxgboost.dylib',
      '/usr/local/opt/xgboost/lib/libxgboost.dylib',
      'libxgboost.dylib',
    ]);
  });

  it('names the file it tried and what to install when the library cannot be loaded', () => {
    configureXgboost('/nonexistent/libxgboost.so.0');
    let err: unknown;
    try {
      xgboostVersion();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XgboostUnavailableError);
    const e = err as XgboostUnavailableError;
    expect(e.code).toBe('XGBOOST_UNAVAILABLE');
    expect(e.tried).toEqual(['/nonexistent/libxgboost.so.0']);
    expect(e.message).toContain('cannot load XGBoost (tried /nonexistent/libxgboost.so.0)');
    expect(e.message).toContain('sudo apt-get install -y libxgboost0');
    expect(e.message).toContain('brew install xgboost');
    expect(e.message).toContain('XGBOOST_LIBRARY');
  });

  it('loads again from the usual places once configured back', () => {
    configureXgboost('/nonexistent/libxgboost.so.0');
    expect(() => xgboostVersion()).toThrow(XgboostUnavailableError);
    configureXgboost(undefined);
    expect(xgboostVersion()).toBe('1.7.4');
  });

  it('gives the same advice as scripts/prerequisites.sh', () => {
    const script = readFileSync(path.resolve(__dirname, '../../../../scripts/prerequisites.sh'), 'utf8');
    const hint = /xgboost_hint\(\) \{\n  cat >&2 <<'HINT'\n([\s\S]*?)\nHINT\n/.exec(script)?.[1];
    expect(hint).toBe(XGBOOST_INSTALL_HINT);
  });
});
