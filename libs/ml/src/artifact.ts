import { createHash } from 'node:crypto';
import { DomainError } from '@app/common';
import { Booster } from './xgboost';
import { XGB_LOADABLE_FORMATS } from './xgb-model';

/**
 * Why a stored model is refused before XGBoost sees it: `ARTIFACT_CORRUPT` its bytes do not match the
 * checksum stored with them, `ARTIFACT_FORMAT` a format this code cannot load. Neither gets better on a
 * retry: the message edge dead-letters them.
 */
export type ArtifactErrorCode = 'ARTIFACT_CORRUPT' | 'ARTIFACT_FORMAT';

export class ArtifactError extends DomainError<ArtifactErrorCode> {}

/** What loading needs of a stored artifact (model_artifacts; read models give it). */
export interface StoredModel {
  format: string;
  /** SHA-256 of `content`, hex. */
  checksum: string;
  content: Buffer;
}

/**
 * Loads a stored model after checking its checksum and format: the validator (candidate and champion)
 * and the scorer (the active version) load artifacts only this way. Dispose the booster when done.
 */
export function loadStoredModel(a: StoredModel): Booster {
  if (createHash('sha256').update(a.content).digest('hex') !== a.checksum)
    throw new ArtifactError('ARTIFACT_CORRUPT', 'artifact checksum mismatch: refusing to load it');
  if (!XGB_LOADABLE_FORMATS.includes(a.format))
    throw new ArtifactError('ARTIFACT_FORMAT', `unexpected artifact format ${a.format}`);
  return Booster.load(a.content);
}
