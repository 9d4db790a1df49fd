// A module of its own: both the CSV reader (numeric headers) and the column typing need it, and
// neither may import the other (csv.ts is below columns.ts).

// Plain decimal notation only: Number() would also accept "0x1F", "0b1" and "" (as 0), which in a CSV
// are codes or gaps, not quantities.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The value of a cell written as a finite decimal number (surrounding blanks allowed), else undefined. */
export function parseFiniteNumber(raw: string): number | undefined {
  const text = raw.trim();
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  // "1e999" matches the pattern but is Infinity: not a usable measurement.
  return Number.isFinite(value) ? value : undefined;
}
