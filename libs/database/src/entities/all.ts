import {
  AnalyticsScheduledReport,
  BenchmarkData,
  Claim,
  MemberAiFeedback,
  Profile,
  Tenant,
} from './platform.entities';
import {
  MlAlertAcknowledgment,
  MlModelTrainingRun,
  MlPrediction,
  MlRetrainingNotification,
  ModelFeatureBaseline,
  ModelMetadata,
} from './ml.entities';
import {
  AlertDigest,
  AlertItem,
  DriftCheck,
  DriftEpisode,
  ModelArtifact,
  ModelDeployment,
  ModelValidation,
  NotificationRecipient,
  OutboxMessage,
  ProcessedEvent,
  ScheduledRun,
} from './pipeline.entities';
import { SeedRun } from './seed-run.entity';
import { ConsoleSession } from './console-session.entity';
import { ModelChallenger } from './challenger.entity';

/** Every entity, for the one MikroORM configuration in libs/database. */
export const ALL_ENTITIES = [
  Tenant,
  Profile,
  Claim,
  BenchmarkData,
  AnalyticsScheduledReport,
  MemberAiFeedback,
  MlPrediction,
  ModelMetadata,
  ModelFeatureBaseline,
  MlModelTrainingRun,
  MlRetrainingNotification,
  MlAlertAcknowledgment,
  OutboxMessage,
  ProcessedEvent,
  ScheduledRun,
  DriftCheck,
  DriftEpisode,
  ModelDeployment,
  ModelValidation,
  ModelArtifact,
  NotificationRecipient,
  AlertItem,
  AlertDigest,
  SeedRun,
  ConsoleSession,
  ModelChallenger,
];
