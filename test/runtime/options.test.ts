// Bad input never passes silently (issue 10): an unknown option key is an error naming the key and the
// nearest valid one, wherever a user passes an options object; misuse that would otherwise surface as
// a TypeError or a NaN deep inside gets a message naming the API and what is wrong.
import { checkOptions, editDistance, nearest } from '../../runtime/options';
import { conv2d, maxPool2d } from '../../runtime/ops/index';
import { randn, zeros } from '../../runtime/tensor/create';
import { jvp } from '../../runtime/jvp';
import { forwardGradient } from '../../runtime/forward-gradient';
import { fgd, gd } from '../../runtime/fgd';
import { beale } from '../../runtime/models/testfns'; // its twin comes from the real transform
import { mixed, Scaler } from './support/hand-twins';
import { registerJvp } from '../../runtime/registry';

describe('the shared helper', () => {
  test('edit distance and the nearest key', () => {
    expect(editDistance('strides', 'stride')).toBe(1);
    expect(editDistance('wtr', 'wrt')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(nearest('wtr', ['wrt', 'directions', 'seed'])).toBe('wrt');
    expect(nearest('zzzzzzzz', ['wrt', 'seed'])).toBeUndefined(); // nothing close: no guess
  });

  test('undefined passes, non-objects and unknown keys throw', () => {
    expect(() => checkOptions(undefined, ['a'], 'op')).not.toThrow();
    expect(() => checkOptions({ a: 1 }, ['a'], 'op')).not.toThrow();
    expect(() => checkOptions(undefined, ['a'], 'op', true)).toThrow(/op: options must be an object, got undefined/);
    expect(() => checkOptions([1], ['a'], 'op')).toThrow(/op: options must be an object, got an array/);
    expect(() => checkOptions({ b: 1 }, ['a'], 'op')).toThrow(
      /op: unknown option 'b' \(did you mean 'a'\?\); valid options: a/,
    );
  });
});

describe('unknown option keys name the key and the nearest valid one', () => {
  const x = () => zeros([1, 1, 4, 4]),
    w = () => zeros([1, 1, 2, 2]);
  test.each<[string, () => unknown, RegExp]>([
    [
      'conv2d',
      () => conv2d(x(), w(), { strides: 2 } as never),
      /conv2d: unknown option 'strides' \(did you mean 'stride'\?\)/,
    ],
    ['conv2d padding', () => conv2d(x(), w(), { pad: 1 } as never), /conv2d: unknown option 'pad'/],
    [
      'maxPool2d',
      () => maxPool2d(x(), { sise: 2 } as never),
      /maxPool2d: unknown option 'sise' \(did you mean 'size'\?\)/,
    ],
    [
      'jvp',
      () => jvp(beale, [1, 1], [1, 0], { thisarg: {} } as never),
      /jvp: unknown option 'thisarg' \(did you mean 'thisArg'\?\)/,
    ],
    [
      'forwardGradient',
      () => forwardGradient(beale, [1, 1], { wtr: 0 } as never),
      /forwardGradient: unknown option 'wtr' \(did you mean 'wrt'\?\)/,
    ],
    [
      'fgd',
      () => fgd(beale, [1, 1], { lr: 0.01, iterations: 1, progress: false, iteration: 5 } as never),
      /fgd: unknown option 'iteration' \(did you mean 'iterations'\?\)/,
    ],
    [
      'gd (an fgd-only key)',
      () => gd(beale, [1, 1], { lr: 0.01, iterations: 1, progress: false, directions: 2 } as never),
      /gd: unknown option 'directions'/,
    ],
    [
      'fgd log',
      () => fgd(beale, [1, 1], { lr: 0.01, iterations: 1, progress: false, log: { path: '/tmp/x', evry: 2 } } as never),
      /fgd: log: unknown option 'evry' \(did you mean 'every'\?\)/,
    ],
    [
      'fgd checkpoint',
      () => fgd(beale, [1, 1], { lr: 0.01, iterations: 1, progress: false, checkpoint: { file: '/tmp/x' } } as never),
      /fgd: checkpoint: unknown option 'file'/,
    ],
    [
      'fgd resume',
      () =>
        fgd(beale, [1, 1], {
          lr: 0.01,
          iterations: 1,
          progress: false,
          resume: { path: '/tmp/x', allow: ['lr'] },
        } as never),
      /fgd: resume: unknown option 'allow'/,
    ],
    [
      'optimizer spec',
      () =>
        fgd(beale, [1, 1], {
          lr: 0.01,
          iterations: 1,
          progress: false,
          optimizer: { name: 'adam', beta: 0.5 },
        } as never),
      /optimizer 'adam': unknown option 'beta' \(did you mean 'beta1'\?\)/,
    ],
    ['randn', () => randn([2], 1, { stram: 3 } as never), /randn: unknown option 'stram' \(did you mean 'stream'\?\)/],
    [
      'momentum spec',
      () =>
        fgd(beale, [1, 1], {
          lr: 0.01,
          iterations: 1,
          progress: false,
          optimizer: { name: 'momentum', nesterof: true },
        } as never),
      /optimizer 'momentum': unknown option 'nesterof' \(did you mean 'nesterov'\?\)/,
    ],
  ])('%s', (_name, call, error) => {
    expect(call).toThrow(error);
  });
});

describe('misuse gets a clear error', () => {
  test('fgd and gd without options', () => {
    expect(() => (fgd as Function)(beale, [1, 1])).toThrow(
      /fgd: options are required: fgd\(f, params, \{ lr, iterations, \.\.\. \}\)/,
    );
    expect(() => (gd as Function)(beale, [1, 1])).toThrow(/gd: options are required/);
  });

  test('wrt: [] is an error, not an empty gradient', () => {
    expect(() => forwardGradient(beale, [1, 1], { wrt: [] })).toThrow(/forwardGradient\(beale\): wrt is empty/);
  });

  test('jvp (and forwardGradient, fgd) of a method that uses this, without thisArg', () => {
    const s = new Scaler(3);
    expect(() => jvp(s.apply, [2], [1])).toThrow(
      /jvp\(Scaler\.apply\): 'Scaler\.apply' is a method that uses 'this'; pass the object as \{ thisArg: obj \}/,
    );
    expect(() => forwardGradient(s.apply, [2], { seed: 1 })).toThrow(
      /forwardGradient\(Scaler\.apply\): .* is a method/,
    );
    expect(() => fgd(s.apply, [2], { lr: 0.01, iterations: 1, progress: false })).toThrow(
      /fgd\(Scaler\.apply\): .* is a method/,
    );
    expect(jvp(s.apply, [2], [1], { thisArg: s })).toEqual([12, 12]);
    expect(jvp(beale, [1, 1], [1, 0])[0]).toBe(beale(1, 1)); // a plain function needs none
    // A method that only mentions `this` in a comment or a string does not use it: no error.
    class Doc {
      static sq(x: number): number {
        /* this is x² */ return x * x + ('this'.length - 4);
      }
    }
    registerJvp(Doc.sq, (x: number, dx: number): [number, number] => [x * x, 2 * x * dx], {
      name: 'Doc.sq',
      tangentSlots: [true],
    });
    expect(jvp(Doc.sq, [3], [1])).toEqual([9, 6]);
  });

  test('a tangent object missing a field names it (an explicit undefined is a constant)', () => {
    const p = { w: [1, 2], b: 0.5 },
      xs = Float64Array.of(3, -1);
    expect(() => jvp(mixed, [p, xs, 'a'], [{ b: 1 }, undefined, undefined])).toThrow(
      /jvp\(mixed\): argument 0: tangent lacks field 'w' of the primal object \{w, b\} \(write w: undefined for a constant\)/,
    );
    expect(() => jvp(mixed, [p, xs, 'a'], [{ w: undefined, b: 1 }, undefined, undefined])).not.toThrow();
  });

  test.each<[string, (i: number) => number, RegExp]>([
    [
      'NaN',
      (i) => (i < 2 ? 0.01 : NaN),
      /fgd: the learning rate for step 3 \(the schedule's value at iteration 2\) is NaN; it must be a finite number ≥ 0/,
    ],
    [
      'negative',
      (i) => 0.01 - i * 0.004,
      /fgd: the learning rate for step 4 \(the schedule's value at iteration 3\) is -0\.002/,
    ],
    ['Infinity', () => Infinity, /fgd: the learning rate for step 1 .* is Infinity/],
  ])('a %s learning rate from a schedule is named as the lr at step t, not the loss', (_name, schedule, error) => {
    const params = [1, 1];
    expect(() => fgd(beale, params, { lr: schedule, iterations: 10, seed: 1, progress: false })).toThrow(error);
  });
});
