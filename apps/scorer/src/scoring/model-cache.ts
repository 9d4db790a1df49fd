import { Injectable } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppLogger } from '@app/common';
import { candidateArtifact } from '@app/database';
import type { ModelVersionView } from '@app/database';
import type { ModelType, PredictionRole } from '@app/domain';
import { MessagingMetrics } from '@app/messaging';
import { calibrationOf, loadStoredModel } from '@app/ml';
import type { Booster, ModelCalibration, StoredModel } from '@app/ml';
import { ScorerConfig } from '../scorer.config';
import { ScorerError } from '../errors';
import type { ScoringModel } from './scoring';

interface Loaded {
  version: number;
  booster: Booster;
  /** Read from the artifact once, at load; null for a version saved without one (or a broken one). */
  calibration: ModelCalibration | null;
}

/** Attempts at catching the active versions still while they keep changing under a batch. */
const MAX_ATTEMPTS = 5;

/**
 * The loaded models, per (tenant, model, role), each with the version it is (the role: the active version,
 * the champion, or a shadow challenger on trial, a version that is not active): an artifact is read and loaded
 * once, then kept (least recently used dropped past MODEL_CACHE_SIZE).
 *
 * The database decides which version scores, not this cache: a batch reads the active versions in its own
 * transaction and uses an entry only if it holds that version, loading it otherwise. So a claim is scored
 * by the version active when its batch read the registry, whichever replica scores it and whether or not
 * that replica saw the model.deployed (one replica of the service gets each event; the others catch up at
 * their next batch). model.deployed only loads the new version ahead of the next claim and frees the old.
 *
 * Boosters are handed out synchronously (`withModels`) and freed only in synchronous code, so no batch
 * ever holds a booster across an await while another handler swaps or drops it.
 */
@Injectable()
export class ModelCache implements OnApplicationShutdown {
  private readonly entries = new Map<string, Loaded>();
  /** What was already logged as skipped (no active version, no artifact): once, not at every batch. */
  private readonly reported = new Set<string>();
  private readonly loads;

  constructor(
    private readonly config: ScorerConfig,
    metrics: MessagingMetrics,
  ) {
    this.loads = metrics.counter(
      'ue_scorer_model_loads_total',
      'Model artifacts loaded into memory, by model',
      ['model_type'],
    );
  }

  /** Loaded models now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** The version loaded for a tenant's model in a role (the champion's by default), if any. */
  loadedVersion(
    tenantId: string,
    modelType: ModelType,
    role: PredictionRole = 'champion',
  ): number | undefined {
    return this.entries.get(key(tenantId, modelType, role))?.version;
  }

  /**
   * Runs `use` (synchronous) with the loaded model of each version that has an artifact: the active ones
   * (champions) and the challengers on trial (`active` false). Versions without one are skipped (logged
   * once). A challenger this tenant no longer has (promoted or retired) is freed. Loads what the cache does not hold at the right version; if an
   * entry changed while others were being read, reads again.
   */
  async withModels<T>(
    em: EntityManager,
    tenantId: string,
    actives: readonly ModelVersionView[],
    log: AppLogger,
    use: (models: ScoringModel[]) => T,
  ): Promise<T> {
    const usable = actives.filter((a) => {
      if (a.artifactId) return true;
      this.reportOnce(log, tenantId, a, 'no_artifact', 'active version has no artifact: not scored by it');
      return false;
    });
    const read = new Map<string, StoredModel | null>();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      for (const a of usable)
        if (!this.holds(tenantId, a) && !read.has(slot(tenantId, a)))
          read.set(slot(tenantId, a), await this.read(em, a));
      // Synchronous from here to the end of `use`: nothing else runs meanwhile.
      if (usable.some((a) => !this.holds(tenantId, a) && !read.has(slot(tenantId, a)))) continue;
      this.dropChallengersNotIn(tenantId, usable);
      const models: ScoringModel[] = [];
      for (const a of usable) {
        const loaded = this.holds(tenantId, a)
          ? this.touch(slot(tenantId, a))
          : this.install(tenantId, a, read.get(slot(tenantId, a)) ?? null, log);
        if (loaded)
          models.push({
            modelType: a.modelType,
            version: a.version,
            role: roleOf(a),
            accuracy: a.accuracy,
            booster: loaded.booster,
            calibration: loaded.calibration,
          });
      }
      try {
        return use(models);
      } finally {
        this.evict();
      }
    }
    throw new ScorerError(
      'MODELS_CHANGING',
      `the active versions of ${tenantId}'s models changed ${MAX_ATTEMPTS} times while they were loaded`,
      true,
    );
  }

  /**
   * After a deployment or a rollback: loads the version now active (the registry's, which a later
   * deployment may have changed since the event) and frees the one it replaces; with no active version
   * left, or no artifact, frees the entry.
   */
  async refresh(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
    active: ModelVersionView | undefined,
    log: AppLogger,
  ): Promise<number | null> {
    if (active && this.holds(tenantId, active)) return active.version;
    const stored = active?.artifactId ? await this.read(em, active) : null;
    // Synchronous from here.
    if (active && stored) {
      this.install(tenantId, active, stored, log);
      this.evict();
      return active.version;
    }
    this.drop(key(tenantId, modelType, 'champion'));
    if (active)
      this.reportOnce(
        log,
        tenantId,
        active,
        'no_artifact',
        'active version has no artifact: not scored by it',
      );
    return null;
  }

  onApplicationShutdown(): void {
    // After the consumers stopped (ConsumerHost.onModuleDestroy waits for the batches in hand).
    for (const k of [...this.entries.keys()]) this.drop(k);
  }

  private holds(tenantId: string, a: ModelVersionView): boolean {
    return this.entries.get(slot(tenantId, a))?.version === a.version;
  }

  /** Frees the challengers of a tenant that are not among these versions (their trial ended). */
  private dropChallengersNotIn(tenantId: string, versions: readonly ModelVersionView[]): void {
    const keep = new Set(versions.filter((v) => !v.active).map((v) => slot(tenantId, v)));
    const prefix = `${tenantId}\u0000`;
    for (const k of [...this.entries.keys()])
      if (k.startsWith(prefix) && k.endsWith(`\u0000challenger`) && !keep.has(k)) this.drop(k);
  }

  private async read(em: EntityManager, a: ModelVersionView): Promise<StoredModel | null> {
    const artifact = a.artifactId ? await candidateArtifact(em, a.artifactId) : null;
    return artifact && artifact.modelType === a.modelType && artifact.version === a.version ? artifact : null;
  }

  /** Marks an entry as just used (the Map's order is the LRU order) and returns it. */
  private touch(k: string): Loaded {
    const entry = this.entries.get(k)!;
    this.entries.delete(k);
    this.entries.set(k, entry);
    return entry;
  }

  /** Loads a stored model (checksum and format checked) in place of the entry; frees the one it replaces. */
  private install(
    tenantId: string,
    a: ModelVersionView,
    stored: StoredModel | null,
    log: AppLogger,
  ): Loaded | null {
    if (!stored) {
      this.reportOnce(
        log,
        tenantId,
        a,
        'artifact_missing',
        'artifact of the active version not found: not scored by it',
      );
      return null;
    }
    const booster = loadStoredModel(stored);
    booster.setParam('nthread', this.config.XGB_THREADS);
    let calibration: ModelCalibration | null = null;
    try {
      calibration = calibrationOf(booster);
    } catch {
      // Scoring goes on without it: its predictions have no probability of being right, and the daily check
      // judges them by their labels alone.
      this.reportOnce(
        log,
        tenantId,
        a,
        'calibration_invalid',
        'calibration of the active version unreadable',
      );
    }
    const k = slot(tenantId, a);
    const previous = this.entries.get(k);
    this.entries.delete(k);
    const entry: Loaded = { version: a.version, booster, calibration };
    this.entries.set(k, entry);
    previous?.booster.dispose();
    this.loads.inc({ model_type: a.modelType });
    log.info('model loaded', {
      modelType: a.modelType,
      version: a.version,
      role: roleOf(a),
      replaced: previous?.version,
      calibrated: calibration !== null,
    });
    return entry;
  }

  /** Drops the least recently used entries past MODEL_CACHE_SIZE (only between batches' synchronous use). */
  private evict(): void {
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.config.MODEL_CACHE_SIZE) return;
      this.drop(k);
    }
  }

  private drop(k: string): void {
    const entry = this.entries.get(k);
    this.entries.delete(k);
    entry?.booster.dispose();
  }

  private reportOnce(
    log: AppLogger,
    tenantId: string,
    a: ModelVersionView,
    why: string,
    message: string,
  ): void {
    const k = `${slot(tenantId, a)}:${a.version}:${why}`;
    if (this.reported.has(k)) return;
    this.reported.add(k);
    log.info(message, { modelType: a.modelType, version: a.version });
  }
}

function key(tenantId: string, modelType: ModelType, role: PredictionRole): string {
  return `${tenantId}\u0000${modelType}\u0000${role}`;
}

/** An active version scores as the champion; a version that is not active is a challenger on trial. */
function roleOf(a: ModelVersionView): PredictionRole {
  return a.active ? 'champion' : 'challenger';
}

function slot(tenantId: string, a: ModelVersionView): string {
  return key(tenantId, a.modelType, roleOf(a));
}
