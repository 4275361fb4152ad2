// Links each original function to its emitted forward-mode twin, so `jvp(f, ...)` finds the twin
// across modules. Twins are registered by the code the transformer emits (or by `defineJvp`).

/** What the transformer records about a twin's calling convention. */
export interface TwinMeta {
  /** The user's name for the function, for error messages. */
  readonly name: string;
  /** One entry per parameter of the original: true when the twin takes a tangent right after it. */
  readonly tangentSlots: readonly boolean[];
}

export interface Twin {
  readonly fn: (...args: any[]) => [unknown, unknown];
  readonly meta: TwinMeta;
}

const TWIN = Symbol.for('forwardgrad.twin');
const COMPILED = Symbol.for('forwardgrad.compiled');
// global, not module state: a program may load two copies of the runtime (built and source)
const COUNT = Symbol.for('forwardgrad.twinCount');
const counter = globalThis as unknown as { [COUNT]?: number };

/** Registers `twin` as the forward-mode version of `original`. Called by emitted code. */
export function registerJvp(original: Function, twin: (...args: any[]) => [unknown, unknown], meta: TwinMeta): void {
  Object.defineProperty(original, TWIN, { value: { fn: twin, meta } satisfies Twin, configurable: true });
  counter[COUNT] = (counter[COUNT] ?? 0) + 1;
}

/** Marks module-level functions the transform compiled without a twin (not annotated): run-time errors then say so. */
export function markCompiled(...fns: Function[]): void {
  for (const f of fns)
    if (typeof f === 'function') Object.defineProperty(f, COMPILED, { value: true, configurable: true });
}

/** Did the transform compile `f`'s module (and leave `f` without a twin)? */
export function wasCompiled(f: Function): boolean {
  return (f as unknown as { [COMPILED]?: boolean })[COMPILED] === true;
}

/** Has any module of this program registered a twin (did the transform run at all)? */
export function anyTwinRegistered(): boolean {
  return (counter[COUNT] ?? 0) > 0;
}

/** The twin registered for `f`, or undefined when the transform never saw it. */
export function lookupJvp(f: Function): Twin | undefined {
  return (f as unknown as { [TWIN]?: Twin })[TWIN];
}
