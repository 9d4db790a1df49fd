export type Out = (line: string) => void;

/** Exit codes: 0 done, 1 the work failed (or did not finish), 2 bad usage. */
export type ExitCode = 0 | 1 | 2;
