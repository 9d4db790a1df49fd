import { STREAM_SUBJECT_ROOTS } from '@app/contracts';
import type { Subject } from '@app/contracts';

/**
 * Names of subjects, streams and consumers for one subject prefix. Production uses no prefix; each test
 * run uses its own (JetStream refuses two streams with overlapping subjects, so stream names alone would
 * not isolate runs).
 */
export class Topology {
  readonly eventsStream: string;
  readonly deadLetterStream: string;

  constructor(readonly prefix: string) {
    const namePrefix = prefix
      ? `${prefix
          .replace(/\.$/, '')
          .replace(/[^A-Za-z0-9_-]/g, '_')
          .toUpperCase()}_`
      : '';
    this.eventsStream = `${namePrefix}UE_EVENTS`;
    this.deadLetterStream = `${namePrefix}UE_DLQ`;
  }

  subject(subject: Subject): string {
    return `${this.prefix}${subject}`;
  }

  /** The bare subject of a prefixed wire subject. */
  unprefix(wireSubject: string): string {
    return this.prefix && wireSubject.startsWith(this.prefix)
      ? wireSubject.slice(this.prefix.length)
      : wireSubject;
  }

  eventSubjects(): string[] {
    return STREAM_SUBJECT_ROOTS.map((root) => `${this.prefix}${root}.>`);
  }

  deadLetterSubject(consumer: string): string {
    return `${this.prefix}dlq.${consumer}`;
  }

  deadLetterSubjects(): string[] {
    return [`${this.prefix}dlq.>`];
  }

  /** Durable consumer of one service for one subject, e.g. `trainer__drift_detected`. */
  consumerName(service: string, subject: Subject): string {
    return `${service}__${subject.replace(/\./g, '_')}`;
  }
}
