/**
 * Bad input data or a failed step of the report (exit 1). Kept apart from UsageError (exit 2), which is
 * decided from the command line alone, before any file is read or connection opened.
 */
export class DriftReportError extends Error {
  constructor(message: string) {
    // Errors are printed as one line on stderr; a stray newline from a value must not break that.
    super(message.replace(/\r?\n/g, ' '));
    this.name = 'DriftReportError';
  }
}

/** A data value as shown in an error message: quoted, one line, and short enough to read. */
export function quoteValue(value: string, max = 40): string {
  const oneLine = value.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
  return `'${oneLine.length > max ? `${oneLine.slice(0, max)}...` : oneLine}'`;
}
