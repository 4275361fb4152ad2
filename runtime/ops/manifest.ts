// Shared by the transformer (build time) and the tensor runtime: which exported tensor ops exist,
// the name of each op's JVP export, and which arguments carry tangents. Pure data: no imports.

export type ArgKind = 'diff' | 'static';
export interface OpEntry { readonly jvp: string; readonly args: readonly ArgKind[] }

/** Free functions exported by `forwardgrad`. */
export const TENSOR_OPS: Readonly<Record<string, OpEntry>> = {
  // filled by the tensor layer, e.g.
  // matmul: { jvp: 'matmulJvp', args: ['diff', 'diff'] },
};

/** Tensor methods the transformer understands (receiver is always 'diff'). */
export const TENSOR_METHODS: Readonly<Record<string, OpEntry>> = {
  // item: { jvp: 'itemJvp', args: [] },
};

/** Tensor properties that are never active (reading them needs no tangent). */
export const TENSOR_INACTIVE_PROPERTIES: readonly string[] = ['shape', 'size', 'rank'];
