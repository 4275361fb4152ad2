// The device-resident form of a kernel source (kernels/gpujs/device.ts): the same function over a
// flat output [X·Y·Z] instead of [X, Y, Z], reading each operand from a base element on.
// - Flat: a resident output is one texture that must read back, and be read by the next kernel,
//   as the row-major range the tensor layer sees, so every texture is one-dimensional (gpu.js
//   lays a 1-D output into a near-square texture, so no side exceeds the context's limit either).
//   thread (x, y, z) is recovered from the flat index; float32 division can land one off near a
//   multiple, so each quotient is corrected from the exact integer remainder (indices < 2^24).
// - Based: an operand may be a texture holding more than the kernel reads (the primal and tangent
//   of a fused op share one texture), so operand P is read at P[P_base + i] with P_base a constant.
// Both are textual rewrites of our own kernel sources, which index operands as `P[expr]` and use
// the thread only as this.thread.x|y|z; test/kernels/gpujs-flat.test.ts runs every rewritten
// source against the original on gpu.js's cpu mode.

/** `P[` … `]` → `P[this.constants.P_base + (` … `)]` for each operand name P (brackets matched). */
export function baseOperands(source: string, operands: readonly string[]): string {
  let out = source;
  for (const p of operands) {
    const open = new RegExp(`(?<![\\w.$])${p}\\[`, 'g');
    let result = '',
      last = 0,
      m: RegExpExecArray | null;
    while ((m = open.exec(out)) !== null) {
      const start = m.index + m[0].length;
      let depth = 1,
        i = start;
      for (; i < out.length && depth > 0; i++) {
        if (out[i] === '[') depth++;
        else if (out[i] === ']') depth--;
      }
      if (depth !== 0) throw new Error(`gpujs flat: unbalanced brackets after '${p}[' in a kernel source`);
      // `+=` style accesses keep working: only the index expression changes
      result += out.slice(last, start) + `this.constants.${p}_base + (${out.slice(start, i - 1)})]`;
      last = i;
      open.lastIndex = i;
    }
    out = result + out.slice(last);
  }
  return out;
}

const quotient = (q: string, num: string, den: string): string =>
  `let ${q} = Math.floor(${num} / ${den});
  if (${num} - ${q} * ${den} < 0) { ${q} = ${q} - 1; }
  if (${num} - ${q} * ${den} >= ${den}) { ${q} = ${q} + 1; }`;

/**
 * `source` (a `function (…) { … }` over output `dims` = [X] | [X, Y] | [X, Y, Z]) over the flat
 * output [X·Y·Z], with `operands` read from their `_base` constants.
 */
export function flatSource(source: string, dims: readonly number[], operands: readonly string[]): string {
  const body = source.indexOf('{');
  if (!source.startsWith('function') || body < 0) throw new Error('gpujs flat: a kernel source must be a function');
  const [X, Y = 1] = dims;
  let prologue = `const flat_i = this.thread.x;\n  `;
  if (dims.length === 1) prologue += `const thread_x = flat_i;`;
  else if (dims.length === 2)
    prologue += `${quotient('thread_y', 'flat_i', `${X}`)}
  const thread_x = flat_i - thread_y * ${X};`;
  else
    prologue += `${quotient('thread_z', 'flat_i', `${X * Y}`)}
  const flat_r = flat_i - thread_z * ${X * Y};
  ${quotient('thread_y', 'flat_r', `${X}`)}
  const thread_x = flat_r - thread_y * ${X};`;
  const rest = source.slice(body + 1).replace(/this\.thread\.([xyz])/g, 'thread_$1');
  return baseOperands(`${source.slice(0, body + 1)}\n  ${prologue}${rest}`, operands);
}
