import { DomainError } from '@app/common';

/** Every code a seeding run fails with (seed.failed says it; the command line prints it). */
export type SeederErrorCode =
  /** Claims asked for tenants that do not exist (seed:platform first). */
  | 'NO_TENANTS'
  /** A tenant without users: nobody to file its claims. */
  | 'NO_PROFILES'
  /** The tenants of this seed are already there: --reset, or another --seed. */
  | 'SEED_CONFLICT'
  /** A stored artifact that fails its checksum or has an unknown format (seed:claims scores with it). */
  | 'ARTIFACT_CORRUPT';

export class SeederError extends DomainError<SeederErrorCode> {}
