// `@forwardGrad` on a class method marks it for the build-time transform. At run time it does nothing:
// the transform emits the sibling `m_jvp` and registers it; this function only has to exist and type-check
// under both legacy (experimentalDecorators) and standard decorators.
export function forwardGrad(..._args: unknown[]): void {}
