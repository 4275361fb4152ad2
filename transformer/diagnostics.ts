// Every problem the transform finds is thrown deep as a ForwardGradError and turned into a ts.Diagnostic here,
// in one place: category Error, codes in the 94xxx range, the offending node's span, a message naming the
// construct, and a fix hint.
import * as ts from 'typescript';

/** Diagnostic codes (stable: tests and users may match on them). */
export const CODES = {
  unsupported: 94001, // a construct the transform does not support with active values
  underivableCall: 94002, // a callee whose derivative cannot be known (declared, library, callback)
  nonNumericSink: 94003, // an active value stored where no tangent can follow it
  badAnnotation: 94004, // @forwardGrad / @customJvp used where it cannot apply
  tooDeep: 94005, // code nested deeper than the transform follows (nesting.ts), or a stack overflow
  internal: 94099, // a bug in the transform, reported instead of emitting wrong code
} as const;

export class ForwardGradError extends Error {
  constructor(
    readonly node: ts.Node,
    message: string,
    readonly hint: string,
    readonly code: number = CODES.unsupported,
  ) {
    super(message);
  }
}

/** Shorthand for the common case. */
export function fail(node: ts.Node, message: string, hint: string, code: number = CODES.unsupported): never {
  throw new ForwardGradError(node, message, hint, code);
}

/** Converts anything thrown while transforming `fallback` into a located diagnostic. */
export function toDiagnostic(error: unknown, fallback: ts.Node): ts.Diagnostic {
  const located = error instanceof ForwardGradError;
  // a stack overflow means code nested too deeply for this process, not a bug: said so, at the function (issue 10)
  const overflow = !located && error instanceof RangeError && /call stack/i.test(error.message);
  const node = located ? error.node : fallback;
  const sf = node.getSourceFile();
  const message = located
    ? `forwardgrad: ${error.message}. Fix: ${error.hint}`
    : overflow
      ? 'forwardgrad: this function is nested too deeply to differentiate (the stack overflowed). Fix: split deeply nested expressions into steps held in intermediate variables'
      : `forwardgrad: internal error while differentiating this function: ${(error as Error)?.stack ?? String(error)}`;
  return {
    category: ts.DiagnosticCategory.Error,
    code: located ? error.code : overflow ? CODES.tooDeep : CODES.internal,
    file: sf,
    start: node.getStart(sf),
    length: node.getWidth(sf),
    messageText: message,
    source: 'forwardgrad',
  };
}

/** Short source text of a node for messages (first line, at most 60 characters). */
export function snippet(node: ts.Node): string {
  const text = node.getText().split('\n')[0];
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}
