import { IsInt, IsString, Max, Min } from 'class-validator';
import { BaseConfig } from '@app/common';

export class ScorerConfig extends BaseConfig {
  override HTTP_PORT = 3107;

  /** XGBoost's C library file; empty: Debian's libxgboost.so.0 or Homebrew's libxgboost.dylib where they usually are. */
  @IsString()
  XGBOOST_LIBRARY = '';

  /**
   * Threads of one XGBoost prediction call. One: a batch is at most a few hundred rows, where a second
   * thread costs more in synchronisation than it saves (and the event loop waits for the call either way).
   */
  @IsInt()
  @Min(1)
  @Max(64)
  XGB_THREADS = 1;

  /**
   * Models kept loaded, least recently used dropped first: 4 per tenant. A model of 100 rounds takes
   * a few hundred KiB to a few MiB once loaded; one not in memory is loaded again from its artifact.
   */
  @IsInt()
  @Min(4)
  @Max(100_000)
  MODEL_CACHE_SIZE = 400;
}
