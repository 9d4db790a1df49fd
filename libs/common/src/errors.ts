/**
 * A failure the domain knows about, with a stable code. Whether it is worth retrying is a property of
 * the failure; what to do with the message (ack, retry later, dead-letter) is decided at the message edge
 * (libs/messaging), never inside a handler.
 *
 * `C` is the module's union of codes (e.g. `DomainError<ValidatorErrorCode>`), so a code is checked where
 * it is thrown; the edge sees every DomainError as `DomainError<string>`.
 */
export class DomainError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    /** true: the same message may succeed later (a lock, a missing row not yet written). */
    readonly retryable = false,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * What went wrong, for a person. An error without a message (a refused connection can be an
 * AggregateError with none) says its code, else its name.
 */
export function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message) return err.message;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code ? code : err.name;
}

/**
 * Something the process needs from its surroundings is missing (a native library, a provisioned stream):
 * nothing it does can succeed until a person fixes it, and the message says how. A service stops at
 * start-up with the message alone (no stack: it is not a bug).
 */
export class PrerequisiteError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PrerequisiteError';
  }
}
