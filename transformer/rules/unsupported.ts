// The constructs the transform still refuses with active values (Tangent's fence.py in spirit): one entry per
// construct, with the message and the fix that fits it. The README's "Still refused" list is checked against
// `construct` (test/transformer/unsupported.test.ts), so the documentation cannot drift from the code.
import type * as ts from 'typescript';
import { CODES, ForwardGradError, snippet } from '../diagnostics';

export interface Refusal {
  /** How the README names the construct. */
  readonly construct: string;
  /** The diagnostic's message; `s` is the offending source text. */
  readonly message: (s: string) => string;
  readonly hint: string;
  readonly code: number;
}

const U = CODES.unsupported;

export const UNSUPPORTED = {
  incrementInExpression: {
    construct: '`x++`/`--x` of an active value inside a larger expression',
    code: U,
    message: (s) => `'${s}' (increment of an active value inside an expression) is not supported`,
    hint: 'write the increment as its own statement',
  },
  assignmentInExpression: {
    construct: 'an assignment to an active value inside a larger expression',
    code: U,
    message: (s) => `assignment inside an expression ('${s}') to an active value is not supported`,
    hint: 'write the assignment as its own statement',
  },
  logicalAssignment: {
    construct: '`||=`, `&&=`, `??=` and bitwise compound assignments on active values',
    code: U,
    message: (s) => `operator '${s}' on an active value is not supported`,
    hint: 'write it out: if (!x) x = …; or x = x ?? …',
  },
  otherOperator: {
    construct: 'other operators on active values (`in`, `delete`, `void`, comma with active operands…)',
    code: U,
    message: (s) => `operator '${s}' on active (differentiated) values is not supported`,
    hint: 'use arithmetic, a conditional (c ? a : b) or if/else',
  },
  otherExpression: {
    construct: 'other expressions on active values (tagged templates, classes, `new` of other classes)',
    code: U,
    message: (s) => `${s} with active (differentiated) values is not supported`,
    hint: 'rewrite it with arithmetic, Math calls, conditionals, arrays or objects',
  },
  storedTemplate: {
    construct:
      'a template string built from active values that is stored or passed on (a number parsed back from it would have no derivative)',
    code: U,
    message: (s) =>
      `a template string built from active (differentiated) values ('${s}') is stored or passed on; a number read back from it would have no derivative`,
    hint: 'build the text where it is shown (console.log(`…`), new Error(`…`)), or keep the number itself',
  },
  arrayHole: {
    construct: 'holes in an active array literal (`[a, , b]`)',
    code: U,
    message: () => 'a hole in an active array literal is not supported',
    hint: 'write the element (0 or undefined) explicitly',
  },
  objectLiteralMember: {
    construct: 'spread, computed keys, methods and accessors in an active object literal',
    code: U,
    message: (s) => `'${s}' in an active object literal is not supported`,
    hint: 'use plain `name: value` properties (copy fields one by one)',
  },
  newWithActive: {
    construct:
      '`new C(…)` with active arguments, except `new Float64Array(xs)`, `new Float32Array(xs)`, `new Array(n)`',
    code: U,
    message: (s) => `'new ${s}(…)' with active arguments is not supported`,
    hint: 'copy active arrays with new Float64Array(a), Array.from(a) or [...a]',
  },
  arrayMethod: {
    construct:
      'array methods without a tangent rule (`flat`, `with`, `toSorted`, `toReversed`, `entries`, `keys`, `values`…)',
    code: U,
    message: (s) => `array method '.${s}()' on an active array is not supported`,
    hint: 'index the array in a loop (for/for…of), or use map/reduce/slice/concat',
  },
  sortWithoutComparator: {
    construct: '`.sort()` of an active array without a comparator (it compares numbers as strings)',
    code: U,
    message: () => "'.sort()' without a comparator sorts numbers as strings",
    hint: 'pass a comparator: xs.sort((a, b) => a - b)',
  },
  concatTypedArray: {
    construct: '`concat` with a typed-array argument (appended as one element)',
    code: U,
    message: () => 'concat with a typed array argument appends the whole typed array as one element',
    hint: 'spread it: [...xs, ...t]',
  },
  mathSpread: {
    construct: 'spread arguments of `Math` functions other than `Math.max(...xs)`/`Math.min(...xs)`',
    code: U,
    message: (s) => `Math call with spread arguments ('${s}') is not supported`,
    hint: 'pass the arguments one by one, or reduce over the array',
  },
  spreadNotTuple: {
    construct: 'spread arguments of a differentiated call that are not a fixed-length tuple',
    code: U,
    message: (s) => `spread arguments ('${s}') of a differentiated call must be a fixed-length tuple`,
    hint: 'declare the spread value as a tuple ([number, number]) or pass the arguments one by one',
  },
  restParameter: {
    construct: 'rest parameters and destructured parameters that receive active values',
    code: U,
    message: (s) => `parameter '${s}' cannot get a tangent (rest or destructured)`,
    hint: 'take the array or object whole and index or destructure it in the body',
  },
  destructuringDefault: {
    construct: 'defaults and rest elements in a destructuring of active values',
    code: U,
    message: () => 'defaults and rest elements in an active destructuring are not supported',
    hint: 'destructure plainly and assign defaults after',
  },
  escapingClosure: {
    construct:
      'a function using active variables of its enclosing function that is stored, returned or handed to a function other than an array method',
    code: U,
    message: () =>
      'a function that uses active (differentiated) variables of its enclosing function is passed where the transform cannot follow it',
    hint: 'call it directly, declare it as a local function (const g = (…) => …) and call that, or use it as the callback of map/forEach/reduce/filter/…',
  },
  sideEffectingPredicate: {
    construct: 'a `filter`/`find`/`some`/`every`/`findIndex`/`sort` callback that changes active variables',
    code: U,
    message: (s) =>
      `the callback of .${s}() changes differentiated variables of the enclosing function, but its result carries no tangent`,
    hint: 'update those variables in a for…of loop (or in forEach) and keep the callback free of side effects',
  },
  loopHeaderUpdate: {
    construct: 'an update of an active value in a loop header (`for (…; …; s *= x)`, `while ((s = f(s)) > 0)`)',
    code: U,
    message: (s) => `an update of an active value in a for-loop header ('${s}') is not supported`,
    hint: 'move the update into the loop body',
  },
  forOfWithoutDeclaration: {
    construct: '`for (x of xs)` over an active array without declaring `x` in the header',
    code: U,
    message: () => 'for…of over an active array must declare its loop variable',
    hint: 'write for (const v of arr)',
  },
  generatorsAndAsync: {
    construct: '`yield`, `await`, generator and async functions, `arguments`',
    code: U,
    message: (s) => `'${s}' cannot appear in a differentiated function`,
    hint: 'differentiate a synchronous, non-generator function with declared parameters',
  },
  activeReceiverMethod: {
    construct: 'calling a differentiated method on an active object (`p.m()` where `p` carries a tangent)',
    code: U,
    message: (s) => `method '${s}' called on an active object`,
    hint: "call it on 'this' or on an inactive object, or make it a function taking the object",
  },
  otherStatement: {
    construct: 'other statements using active values (`with`, class declarations inside a differentiated function)',
    code: U,
    message: (s) => `${s} using active (differentiated) values is not supported`,
    hint: 'move it out of the differentiated function',
  },
} satisfies Record<string, Refusal>;

export type RefusalKey = keyof typeof UNSUPPORTED;

/** Throws the located refusal of `key` for `node`. */
export function refuse(node: ts.Node, key: RefusalKey, text: string = snippet(node)): never {
  const r: Refusal = UNSUPPORTED[key];
  throw new ForwardGradError(node, r.message(text), r.hint, r.code);
}
