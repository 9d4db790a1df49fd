import { readFile, writeFile } from 'node:fs/promises';
import { BaseConfig, ConfigError, errorMessage, loadConfig, parseFlags, UsageError } from '@app/common';
import type { FlagSpec } from '@app/common';
import { MODEL_TYPES } from '@app/domain';
import type { ModelType } from '@app/domain';
import { parseCsv } from './csv';
import type { CsvTable } from './csv';
import { withDatabase } from '../database';
import { loadDbReportInput } from './db';
import { DriftReportError } from './errors';
import { renderHtml } from './html';
import { formatTable, reportFromCsv, reportFromDb, reportJson, reportNotes } from './psi-report';
import type { DriftReport } from './psi-report';

export const DRIFT_REPORT_USAGE = [
  'usage: npm run drift:report -- --reference FILE --current FILE [--html FILE] [--json]',
  `       npm run drift:report -- --tenant ID --model ${MODEL_TYPES.join('|')}`,
  '                               [--window-days N] [--as-of YYYY-MM-DD] [--html FILE] [--json]',
  '',
  'PSI of every column two CSV files share (the reference file is the baseline; numeric when every',
  'non-empty value in both files is a number, else categorical), or of the key features of a model:',
  'claims of the tenant filed in the --window-days days (default 30) ending with --as-of (default today,',
  'UTC) against the active baselines, plus the weekly accuracy of the last 12 weeks.',
  '',
  '  --json         print only {"columns": {"<name>": {"psi", "band", "bins"}}} (notes go to stderr)',
  '  --html FILE    also write one self-contained HTML report (inline SVG charts, no scripts, no links)',
  '',
  'environment (database mode): DATABASE_URL',
  'exit codes: 0 done, 1 bad data or the work failed, 2 bad usage',
].join('\n');

const NON_EMPTY = /\S/;
const FLAGS: FlagSpec = {
  reference: { type: 'string', pattern: NON_EMPTY },
  current: { type: 'string', pattern: NON_EMPTY },
  tenant: { type: 'string', pattern: /^[A-Za-z0-9_-]{1,100}$/ },
  model: { type: 'string', choices: MODEL_TYPES },
  'window-days': { type: 'int', min: 1, max: 3650 },
  'as-of': { type: 'string', pattern: /^\d{4}-\d{2}-\d{2}$/ },
  html: { type: 'string', pattern: NON_EMPTY },
  json: { type: 'bool' },
  help: { type: 'bool' },
};
const CSV_FLAGS = ['reference', 'current'] as const;
const DB_FLAGS = ['tenant', 'model', 'window-days', 'as-of'] as const;

interface Output {
  json: boolean;
  html: string | undefined;
}

export type DriftReportOptions =
  | { mode: 'csv'; reference: string; current: string; output: Output }
  | { mode: 'db'; tenantId: string; modelType: ModelType; windowDays: number; asOf: string; output: Output };

/** Reads the command line only (no file, no connection): every problem here is a UsageError. */
export function parseDriftReportArgs(argv: readonly string[], today: Date): DriftReportOptions {
  const { flags, positional } = parseFlags(argv, FLAGS);
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const csv = CSV_FLAGS.filter((f) => flags[f] !== undefined);
  const db = DB_FLAGS.filter((f) => flags[f] !== undefined);
  const output = { json: flags.json === true, html: flags.html as string | undefined };
  if (csv.length > 0 && db.length > 0) {
    throw new UsageError(`--${csv[0]} (CSV mode) cannot be combined with --${db[0]} (database mode)`);
  }
  if (csv.length > 0) {
    for (const [given, needed] of [
      ['reference', 'current'],
      ['current', 'reference'],
    ] as const) {
      if (flags[needed] === undefined) throw new UsageError(`--${given} needs --${needed}`);
    }
    return { mode: 'csv', reference: flags.reference as string, current: flags.current as string, output };
  }
  if (db.length === 0) throw new UsageError('give --reference and --current, or --tenant and --model');
  if (flags.tenant === undefined) throw new UsageError('database mode needs --tenant');
  if (flags.model === undefined) throw new UsageError('database mode needs --model');
  return {
    mode: 'db',
    tenantId: flags.tenant as string,
    modelType: flags.model as ModelType,
    windowDays: (flags['window-days'] as number | undefined) ?? 30,
    asOf: checkDate((flags['as-of'] as string | undefined) ?? today.toISOString().slice(0, 10)),
    output,
  };
}

function checkDate(day: string): string {
  // The pattern admits 2024-02-30; a round trip through Date catches what the calendar does not have.
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new UsageError(`--as-of is not a calendar date: "${day}"`);
  }
  return day;
}

export async function runDriftReport(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
  env: NodeJS.ProcessEnv,
): Promise<0 | 1 | 2> {
  if (argv.includes('--help')) {
    out(DRIFT_REPORT_USAGE);
    return 0;
  }
  let options: DriftReportOptions;
  let config: BaseConfig | undefined;
  try {
    options = parseDriftReportArgs(argv, new Date());
    // Only database mode needs configuration; a CSV comparison must work without any environment.
    if (options.mode === 'db') config = loadConfig(BaseConfig, env);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`error: ${error.message}\n\n${DRIFT_REPORT_USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      err(error.message);
      return 2;
    }
    throw error;
  }
  try {
    const report =
      options.mode === 'csv' ? await csvReport(options) : await dbReport(options, config!.DATABASE_URL);
    await emit(report, options.output, out, err);
    return 0;
  } catch (error) {
    err(`error: ${errorMessage(error).replace(/\r?\n/g, ' ')}`);
    return 1;
  }
}

async function csvReport(options: Extract<DriftReportOptions, { mode: 'csv' }>): Promise<DriftReport> {
  const reference = await readCsvFile(options.reference);
  const current = await readCsvFile(options.current);
  return reportFromCsv(reference, current);
}

async function readCsvFile(path: string): Promise<CsvTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DriftReportError(`cannot read ${path}: ${readFailure(error)}`);
  }
  return parseCsv(text, path);
}

function readFailure(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return errorMessage(error);
}

async function dbReport(
  options: Extract<DriftReportOptions, { mode: 'db' }>,
  url: string,
): Promise<DriftReport> {
  const input = await withDatabase(url, (em) =>
    loadDbReportInput(em, {
      tenantId: options.tenantId,
      modelType: options.modelType,
      asOf: options.asOf,
      windowDays: options.windowDays,
    }),
  );
  return reportFromDb(input);
}

async function emit(
  report: DriftReport,
  output: Output,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<void> {
  // With --json, stdout carries the JSON document and nothing else; everything for people goes to stderr.
  const say = output.json ? err : out;
  // The file is written before anything is printed, so a failed write never leaves a half-reported run.
  if (output.html !== undefined) {
    try {
      await writeFile(output.html, renderHtml(report, new Date()), 'utf8');
    } catch (error) {
      throw new DriftReportError(`cannot write ${output.html}: ${errorMessage(error)}`);
    }
  }
  if (output.json) {
    reportNotes(report).forEach((n) => err(`note: ${n}`));
    out(JSON.stringify(reportJson(report), null, 2));
  } else {
    formatTable(report).forEach((line) => out(line));
  }
  if (output.html !== undefined) say(`HTML report written to ${output.html}`);
}

// Runnable on its own as well (node dist/apps/cli/src/drift-report/command.js).
if (require.main === module) {
  runDriftReport(
    process.argv.slice(2),
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
    process.env,
  )
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    });
}
