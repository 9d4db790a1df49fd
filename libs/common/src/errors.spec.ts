import { DomainError, errorMessage } from './errors';

describe('errorMessage', () => {
  it("is the error's message when it has one", () => {
    expect(errorMessage(new DomainError('NO_SPLIT', 'run r has no split'))).toBe('run r has no split');
  });

  it('falls back to the code, then the name, when the message is empty', () => {
    const refused = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
    expect(errorMessage(refused)).toBe('ECONNREFUSED');
    expect(errorMessage(new AggregateError([], ''))).toBe('AggregateError');
  });

  it('prints what is not an Error as a string', () => {
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(42)).toBe('42');
  });
});
