import type { ClaimType } from '@app/domain';

// Value pools (no faker): the spec's 36 first names, 35 last names, 6 union locals, 7 departments.
export const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara',
  'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Carlos', 'Karen', 'Daniel', 'Lisa', 'Matthew', 'Nancy',
  'Anthony', 'Sandra', 'Mark', 'Ashley', 'Priya', 'Kimberly', 'Wei', 'Emily', 'Ahmed', 'Donna', 'Jose', 'Michelle',
] as const;
export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez',
  'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White',
  'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Nguyen',
] as const;
export const UNION_LOCALS = [
  { name: 'Local 101', union: 'United Steelworkers Local 101', region: 'Pittsburgh, PA' },
  { name: 'Local 212', union: 'SEIU Healthcare Local 212', region: 'Chicago, IL' },
  { name: 'Local 345', union: 'Teamsters Local 345', region: 'Detroit, MI' },
  { name: 'Local 478', union: 'IBEW Local 478', region: 'Seattle, WA' },
  { name: 'Local 523', union: 'UFCW Local 523', region: 'Denver, CO' },
  { name: 'Local 689', union: 'ATU Local 689', region: 'Washington, DC' },
] as const;
export const DEPARTMENTS = ['Operations', 'Maintenance', 'Logistics', 'Customer Service', 'Healthcare', 'Administration', 'Manufacturing'] as const;
export const TEAMS = ['contract', 'safety', 'equity', 'benefits'] as const;

/** Team that rightly handles each claim type (the assignment model's signal). */
export const TEAM_FOR_TYPE: Record<ClaimType, (typeof TEAMS)[number]> = {
  contract_grievance: 'contract',
  disciplinary_action: 'contract',
  wrongful_termination: 'contract',
  workplace_safety: 'safety',
  discrimination: 'equity',
  harassment: 'equity',
  wage_and_hour: 'benefits',
  overtime_dispute: 'benefits',
  benefits_dispute: 'benefits',
  leave_request: 'benefits',
  scheduling_conflict: 'contract',
};

export const DESCRIPTIONS: Record<ClaimType, readonly string[]> = {
  contract_grievance: ['Management changed shift premiums without bargaining.', 'Seniority was ignored in a job posting.'],
  disciplinary_action: ['Written warning issued without a prior investigation meeting.', 'Suspension exceeds the progressive-discipline steps.'],
  wrongful_termination: ['Terminated without just cause after 9 years of service.', 'Dismissed during probation extension not agreed with the union.'],
  workplace_safety: ['Guard rails missing on the loading dock.', 'No respirators supplied for solvent work.'],
  discrimination: ['Passed over for promotion after disclosing a disability.', 'Pay gap with colleagues in the same classification.'],
  harassment: ['Repeated demeaning comments by a supervisor.', 'Hostile messages from a coworker, reported twice.'],
  wage_and_hour: ['Unpaid pre-shift security screening time.', 'Missing night differential on three pay slips.'],
  overtime_dispute: ['Overtime offered out of seniority order.', 'Mandatory overtime beyond the contractual cap.'],
  benefits_dispute: ['Dental claim denied although covered by the plan.', 'Pension service credit missing for a leave period.'],
  leave_request: ['Family leave request refused without reason.', 'Bereavement leave shortened by management.'],
  scheduling_conflict: ['Schedule posted with less than 14 days notice.', 'Split shifts assigned contrary to the agreement.'],
};
