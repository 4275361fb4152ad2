// jvp(f, primals, tangents): one run of f's emitted twin gives f's value and its directional
// derivative along the tangents (DESIGN §1). Validates the call against the twin's metadata so a
// wrong tangent is a clear error here, not a NaN deep inside emitted code.
import { anyTwinRegistered, lookupJvp, Twin, wasCompiled } from './registry';
import { isTensor } from './tensor/tensor';
import { describeValue, isPlainObject, leafKind } from './leaves';
import { zerosLike } from './twin-support';
import { checkOptions } from './options';
import { tidy } from './tensor/pool';

export interface JvpOptions {
  /** `this` for methods: `jvp(obj.m, primals, tangents, { thisArg: obj })`. */
  thisArg?: unknown;
}

const JVP_OPTIONS = ['thisArg'];

/**
 * Throws when `f` is a method that reads `this` and no thisArg was given: its twin would fail deep
 * inside with "cannot read properties of undefined". Detectable from the source text: method syntax
 * (`m(x) {`, no `function` keyword, not an arrow, no own prototype) and a `this` in the body.
 */
export function checkThisArg(f: Function, twin: Twin, thisArg: unknown, caller: string): void {
  if (thisArg !== undefined || Object.prototype.hasOwnProperty.call(f, 'prototype')) return;
  const src = Function.prototype.toString.call(f);
  const head = src.slice(0, Math.max(0, src.indexOf('{')));
  const isMethod =
    head !== '' && !/^\s*(async\s+)?function\b/.test(head) && !head.includes('=>') && !/^\s*class\b/.test(head);
  // Strings and comments first: a `this` in a comment is no use of it.
  const code = src.replace(/(["'`])(?:\\.|(?!\1)[^\\])*\1|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ');
  if (isMethod && /\bthis\b/.test(code)) {
    throw new Error(
      `${caller}(${functionName(f, twin)}): '${functionName(f, twin)}' is a method that uses 'this'; pass the object as { thisArg: obj }`,
    );
  }
}

export function functionName(f: Function, twin?: Twin): string {
  return twin?.meta.name || f.name || '<anonymous>';
}

/** The twin of `f`, or an error saying how to get one. */
export function requireTwin(f: unknown, caller: string): Twin {
  if (typeof f !== 'function') throw new TypeError(`${caller}: expected a function, got ${describeValue(f)}`);
  const twin = lookupJvp(f);
  if (twin) return twin;
  const name = functionName(f);
  const setup =
    'build with the forwardgrad plugin: tspc with "plugins": [{ "transform": "forwardgrad/transformer" }] in tsconfig, ' +
    `forwardGradPlugin() from 'forwardgrad/esbuild', or transform { "^.+\\.ts$": "forwardgrad/jest" } in jest`;
  // three causes, told apart by what the transform leaves behind: nothing at all, a compiled module, or neither
  if (wasCompiled(f)) {
    throw new Error(
      `${caller}: function '${name}' has no forward-mode twin: the forwardgrad transform compiled its module, but '${name}' ` +
        'is not annotated. Annotate its declaration with /** @forwardGrad */ (or pass a function literal directly).',
    );
  }
  if (!anyTwinRegistered()) {
    throw new Error(
      `${caller}: function '${name}' has no forward-mode twin: no module of this program went through the forwardgrad ` +
        `transform, so the plugin did not run. Annotate the function with /** @forwardGrad */ and ${setup}.`,
    );
  }
  throw new Error(
    `${caller}: function '${name}' has no forward-mode twin: the forwardgrad plugin did not compile the file that defines it ` +
      `(or it is not a module-level function). If it carries /** @forwardGrad */, make sure that file goes through the plugin (${setup}); ` +
      'otherwise annotate it.',
  );
}

/** Checks the number of primals: every parameter must be given (a defaulted one would need a tangent the twin cannot see). */
export function checkArity(f: Function, twin: Twin, primals: readonly unknown[], caller: string): void {
  if (!Array.isArray(primals))
    throw new TypeError(
      `${caller}(${functionName(f, twin)}): primals must be an array of arguments, got ${describeValue(primals)}`,
    );
  const n = twin.meta.tangentSlots.length;
  if (primals.length !== n) {
    throw new Error(
      `${caller}(${functionName(f, twin)}): expected ${n} argument(s), got ${primals.length} (pass every parameter, including defaulted ones)`,
    );
  }
}

/**
 * The tangent for one primal, validated to mirror it (same kind, length, fields; Tensors: same
 * shape or [K, ...shape]); undefined parts become zeros (Tensors stay undefined: rules accept it).
 */
export function materializeTangent(primal: unknown, tangent: unknown, where: string): unknown {
  if (tangent === undefined) return zerosLike(primal);
  const kind = leafKind(primal);
  const bad = (want: string) =>
    new Error(
      `${where}: tangent must be ${want} to mirror the primal ${describeValue(primal)}, got ${describeValue(tangent)}`,
    );
  switch (kind) {
    case 'number':
      if (typeof tangent !== 'number') throw bad('a number');
      return tangent;
    case 'array':
      if (
        !Array.isArray(tangent) ||
        tangent.length !== (primal as number[]).length ||
        !tangent.every((e) => typeof e === 'number')
      )
        throw bad(`number[${(primal as number[]).length}]`);
      return tangent;
    case 'f32':
    case 'f64': {
      const ctor = (primal as Float32Array).constructor;
      if (!(tangent instanceof ctor) || (tangent as Float32Array).length !== (primal as Float32Array).length)
        throw bad(`${ctor.name}(${(primal as Float32Array).length})`);
      return tangent;
    }
    case 'tensor': {
      const shape = (primal as { shape: readonly number[] }).shape;
      if (!isTensor(tangent)) throw bad(`a Tensor (or undefined)`);
      const ts = tangent.shape;
      const same = (from: number) => ts.length - from === shape.length && shape.every((d, i) => ts[i + from] === d);
      if (!same(0) && !same(1)) throw bad(`a Tensor of shape [${shape.join(',')}] or [K,${shape.join(',')}]`);
      return tangent;
    }
  }
  if (Array.isArray(primal)) {
    if (!Array.isArray(tangent) || tangent.length !== primal.length) throw bad(`a tuple of length ${primal.length}`);
    return primal.map((p, i) => materializeTangent(p, tangent[i], `${where}[${i}]`));
  }
  if (isPlainObject(primal)) {
    if (!isPlainObject(tangent)) throw bad('an object with the same fields');
    for (const k of Object.keys(tangent))
      if (!(k in primal))
        throw new Error(`${where}: tangent has field '${k}', which the primal ${describeValue(primal)} lacks`);
    // A missing field is more often a typo or a stale structure than a deliberate constant: say so.
    for (const k of Object.keys(primal)) {
      if (!(k in tangent))
        throw new Error(
          `${where}: tangent lacks field '${k}' of the primal ${describeValue(primal)} (write ${k}: undefined for a constant)`,
        );
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(primal)) {
      const t = materializeTangent(primal[k], tangent[k], `${where}.${k}`);
      if (t !== undefined) out[k] = t;
    }
    return out;
  }
  throw new Error(
    `${where}: ${describeValue(primal)} is not differentiable, so its tangent must be undefined, got ${describeValue(tangent)}`,
  );
}

/** Interleaves primals and (validated) tangents in the twin's calling convention. */
export function twinArguments(
  f: Function,
  twin: Twin,
  primals: readonly unknown[],
  tangents: readonly unknown[],
  caller: string,
): unknown[] {
  const name = functionName(f, twin);
  const slots = twin.meta.tangentSlots;
  const args: unknown[] = [];
  for (let i = 0; i < slots.length; i++) {
    const where = `${caller}(${name}): argument ${i}`;
    args.push(primals[i]);
    if (slots[i]) args.push(materializeTangent(primals[i], tangents[i], where));
    else if (tangents[i] !== undefined)
      throw new Error(
        `${where} is not differentiable (its declared type has no tangent), so its tangent must be undefined`,
      );
  }
  return args;
}

/**
 * Evaluates f at `primals` and its directional derivative along `tangents` in one forward run:
 * returns [f(primals), ∂f(primals)·tangents]. Tangents mirror primals; undefined = constant.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- f's value and tangent types, given by the caller or left open
export function jvp<R = any, T = any>(
  f: Function,
  primals: readonly unknown[],
  tangents: readonly unknown[],
  options: JvpOptions = {},
): [R, T] {
  const twin = requireTwin(f, 'jvp');
  checkOptions(options, JVP_OPTIONS, 'jvp');
  checkArity(f, twin, primals, 'jvp');
  checkThisArg(f, twin, options.thisArg, 'jvp');
  if (!Array.isArray(tangents))
    throw new TypeError(
      `jvp(${functionName(f, twin)}): tangents must be an array mirroring the primals, got ${describeValue(tangents)}`,
    );
  if (tangents.length !== primals.length) {
    throw new Error(
      `jvp(${functionName(f, twin)}): got ${primals.length} primal(s) but ${tangents.length} tangent(s); pass one tangent per argument (undefined = constant)`,
    );
  }
  // The twin's intermediates go back to the pool (a user's loop then allocates nothing per call);
  // the value and its tangent survive into the caller's scope.
  return tidy(() => twin.fn.apply(options.thisArg, twinArguments(f, twin, primals, tangents, 'jvp')) as [R, T]);
}
