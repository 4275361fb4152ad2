// Links each original function to its emitted forward-mode twin, so `jvp(f, ...)` finds the twin
// across modules. Twins are registered by the code the transformer emits (or by `defineJvp`).

/** What the transformer records about a twin's calling convention. */
export interface TwinMeta {
  /** The user's name for the function, for error messages. */
  readonly name: string;
  /** One entry per parameter of the original: true when the twin takes a tangent right after it. */
  readonly tangentSlots: readonly boolean[];
}

export interface Twin { readonly fn: (...args: any[]) => [unknown, unknown]; readonly meta: TwinMeta }

const TWIN = Symbol.for('forwardgrad.twin');

/** Registers `twin` as the forward-mode version of `original`. Called by emitted code. */
export function registerJvp(original: Function, twin: (...args: any[]) => [unknown, unknown], meta: TwinMeta): void {
  Object.defineProperty(original, TWIN, { value: { fn: twin, meta } satisfies Twin, configurable: true });
}

/** The twin registered for `f`, or undefined when the transform never saw it. */
export function lookupJvp(f: Function): Twin | undefined {
  return (f as unknown as { [TWIN]?: Twin })[TWIN];
}
