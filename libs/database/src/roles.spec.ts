import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROLES_SQL, SERVICE_ROLES, urlForRole } from './roles';

describe('database roles', () => {
  it('database/roles.sql (for DBAs) is the SQL the migrator runs, verbatim', () => {
    const file = readFileSync(path.join(__dirname, '../../../database/roles.sql'), 'utf8');
    expect(file.endsWith(ROLES_SQL)).toBe(true);
  });

  it('has one login role per service, named after it', () => {
    expect(SERVICE_ROLES).toEqual({
      scheduler: 'ue_scheduler',
      'drift-monitor': 'ue_drift_monitor',
      trainer: 'ue_trainer',
      validator: 'ue_validator',
      notifier: 'ue_notifier',
      seeder: 'ue_seeder',
      scorer: 'ue_scorer',
      console: 'ue_console',
    });
  });

  it('swaps only the user of a connection URL', () => {
    expect(urlForRole('postgresql://postgres:pw@db:5432/union_eyes', 'ue_trainer')).toBe(
      'postgresql://ue_trainer:pw@db:5432/union_eyes',
    );
    expect(urlForRole('postgresql://db/union_eyes', 'ue_owner')).toBe('postgresql://ue_owner@db/union_eyes');
  });
});
