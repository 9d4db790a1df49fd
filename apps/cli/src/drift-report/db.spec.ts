import { pgRunner, toPgPlaceholders } from './db';
import { histogramSql } from '@app/database';

describe('toPgPlaceholders', () => {
  it('numbers ? placeholders in order', () => {
    expect(toPgPlaceholders('select * from t where a = ? and b in (?, ?)')).toBe(
      'select * from t where a = $1 and b in ($2, $3)',
    );
  });

  it('leaves question marks in literals and quoted identifiers alone', () => {
    expect(toPgPlaceholders(`select '?', 'it''s ?', "col?" from t where x = ?`)).toBe(
      `select '?', 'it''s ?', "col?" from t where x = $1`,
    );
  });

  it('turns the shared histogram query into one with $1..$5', () => {
    const sql = toPgPlaceholders(histogramSql({ allTenants: false }));
    expect(sql).not.toContain('?');
    expect(sql.match(/\$\d/g)).toEqual(['$1', '$2', '$3', '$4', '$5']);
  });
});

describe('pgRunner', () => {
  it('sends converted SQL and the parameters, and returns the rows', async () => {
    const calls: unknown[][] = [];
    const client = {
      query: (sql: string, params: unknown[]) => {
        calls.push([sql, params]);
        return Promise.resolve({ rows: [{ n: 1 }] });
      },
    };
    const rows = await pgRunner(client as never)<{ n: number }[]>('select ? as n', [1]);
    expect(rows).toEqual([{ n: 1 }]);
    expect(calls).toEqual([['select $1 as n', [1]]]);
  });
});
