import { decodeXgbOutput } from './xgb-model';

// XGBoost's raw outputs as each objective gives them (xgb-model.ts params): fixed fixtures, decoded into
// the answer and the model's own probability for it.
describe('decodeXgbOutput', () => {
  it('multi:softprob: the most probable class of each row, with its probability', () => {
    // assignment: contract, safety, equity, benefits; two rows of four probabilities.
    const raw = Float32Array.from([0.1, 0.6, 0.2, 0.1, 0.25, 0.25, 0.2, 0.3]);
    const answers = decodeXgbOutput('assignment', raw, 2);
    expect(answers.map((a) => a.value)).toEqual(['safety', 'benefits']);
    expect(answers[0]!.probability).toBeCloseTo(0.6, 6);
    expect(answers[1]!.probability).toBeCloseTo(0.3, 6);
  });

  it('multi:softprob: a tie goes to the first class, as evaluation always decided', () => {
    const raw = Float32Array.from([0.4, 0.4, 0.1, 0.1]);
    expect(decodeXgbOutput('claim_outcome', raw, 1)).toEqual([{ value: 'won', probability: raw[0] }]);
  });

  it('binary:logistic: P(second class) above 0.5 chooses it, else the first with 1 - p', () => {
    // churn_risk: churned, retained.
    const raw = Float32Array.from([0.9, 0.2, 0.5]);
    const answers = decodeXgbOutput('churn_risk', raw, 3);
    expect(answers.map((a) => a.value)).toEqual(['retained', 'churned', 'churned']);
    expect(answers[0]!.probability).toBeCloseTo(0.9, 6);
    expect(answers[1]!.probability).toBeCloseTo(0.8, 6);
    expect(answers[2]!.probability).toBeCloseTo(0.5, 6);
  });

  it('regression (timeline): the number of days, and no probability of its own', () => {
    const raw = Float32Array.from([12.5, 97.25]);
    expect(decodeXgbOutput('timeline', raw, 2)).toEqual([
      { value: 12.5, probability: null },
      { value: 97.25, probability: null },
    ]);
  });

  it('refuses an output of the wrong length for the rows and classes', () => {
    expect(() => decodeXgbOutput('assignment', new Float32Array(7), 2)).toThrow(RangeError);
    expect(() => decodeXgbOutput('churn_risk', new Float32Array(3), 2)).toThrow(RangeError);
    expect(() => decodeXgbOutput('timeline', new Float32Array(1), 2)).toThrow(RangeError);
  });
});
