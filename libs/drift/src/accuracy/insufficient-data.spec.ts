import { sampleSizeCheck, wilsonInterval } from '../index';

// Scenario: a window too small to judge. The check is a plain comparison have >= need, so a model with
// minTrainingSamples 500 is sufficient at exactly 500 and not at 499; an empty accuracy window is an
// EMPTY_SAMPLE error, never a 0% (or NaN) accuracy.
describe('insufficient data', () => {
  it.each([
    [0, 500, false],
    [499, 500, false],
    [500, 500, true],
    [501, 500, true],
    [0, 0, true],
  ])('%p observations against a minimum of %p: sufficient = %p', (have, need, sufficient) => {
    expect(sampleSizeCheck(have, need)).toEqual({ sufficient, have, need });
  });

  it('refuses an accuracy interval over zero predictions', () => {
    expect(() => wilsonInterval(0, 0)).toThrow(expect.objectContaining({ code: 'EMPTY_SAMPLE' }));
  });

  it.each([
    [-1, 10],
    [10, -1],
    [1.5, 10],
    [10, Number.NaN],
  ])('rejects sampleSizeCheck(%p, %p) as INVALID_COUNT', (have, need) => {
    expect(() => sampleSizeCheck(have, need)).toThrow(expect.objectContaining({ code: 'INVALID_COUNT' }));
  });
});
