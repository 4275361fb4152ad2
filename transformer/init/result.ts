// What each of `forwardgrad init`'s file edits returns, and the one error they throw: a one-line
// message naming the file and what to do (nothing is written when any edit fails).

export interface Wired {
  /** The new text (the same text when nothing was missing). */
  readonly text: string;
  /** What the user should know about the edit beyond the diff. */
  readonly notes: readonly string[];
}

export class InitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InitError';
  }
}
