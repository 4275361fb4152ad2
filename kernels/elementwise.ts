// THE elementwise table: one entry per elementwise op, and everything else is derived from it —
// the js loops (kernels/js/unary.ts, binary.ts), the gpu.js kernels (kernels/gpujs/unary.ts,
// binary.ts), the float64 references (kernels/reference/ops.ts), the UnaryOp/BinaryOp types
// (kernels/backend.ts), the tensor ops with their JVP/VJP rules (runtime/ops/elementwise.ts) and
// the tests' case lists. Pure data, no imports: kernels/ and runtime/ both read it.
//
// Per op:
// - `y`, `dydx` (unary) / `y`, `da`, `db` (binary): the value and derivatives as expressions in
//   x (or a, b) and the value y, in the subset of JavaScript that gpu.js also compiles (float
//   literals written `1.0`, `Math.*` calls, ternaries). The kernels splice them into their loops.
// - `ref`, `dref`: float64 value and derivative(s), written independently of the expressions
//   (tests hold the kernels to them and `dref` to central differences of `ref`).
// - `domain`: where tests draw inputs. 'real'; 'positive' (x > 0, log); 'awayFromZero' (a kink or
//   pole at 0: finite differences across it are meaningless). Binary: one per operand.
// - `jvp`, `vjp`: the forward and reverse rules in math (OpRule.rule / vjpRule).
//
// Conventions: relu'(0) = 0; NaN in → NaN out (value and derivative), as Math would do.

export type Domain = 'real' | 'positive' | 'awayFromZero';

export interface UnaryEntry {
  readonly y: string;
  readonly dydx: string;
  readonly ref: (x: number) => number;
  readonly dref: (x: number) => number;
  readonly domain: Domain;
  readonly jvp: string;
  readonly vjp: string;
}

export interface BinaryEntry {
  readonly y: string;
  readonly da: string;
  readonly db: string;
  readonly ref: (a: number, b: number) => number;
  /** [∂y/∂a, ∂y/∂b] in float64. */
  readonly dref: (a: number, b: number) => [number, number];
  readonly domain: readonly [Domain, Domain];
  readonly jvp: string;
  readonly vjp: string;
}

const sigmoid64 = (x: number): number => 1 / (1 + Math.exp(-x));

// prettier-ignore
export const UNARY = {
  neg:      { y: '-x', dydx: '-1.0', ref: (x) => -x, dref: () => -1, domain: 'real',
              jvp: 'ẏ = −ẋ', vjp: 'x̄ = −ȳ' },
  square:   { y: 'x * x', dydx: '2.0 * x', ref: (x) => x * x, dref: (x) => 2 * x, domain: 'real',
              jvp: 'ẏ = 2x·ẋ', vjp: 'x̄ = 2x·ȳ' },
  // `x <= 0 ? 0 : x` (not `x > 0 ? x : 0`) so that relu(NaN) = NaN (and relu(−0) = +0); the
  // derivative's last arm is reached only by NaN.
  relu:     { y: 'x <= 0.0 ? 0.0 : x', dydx: 'x > 0.0 ? 1.0 : x <= 0.0 ? 0.0 : x',
              ref: (x) => (Number.isNaN(x) ? NaN : Math.max(x, 0)), dref: (x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : 0), domain: 'awayFromZero',
              jvp: "ẏ = [x > 0]·ẋ (relu'(0) = 0), same mask pass", vjp: 'x̄ = [x > 0]·ȳ' },
  tanh:     { y: 'Math.tanh(x)', dydx: '1.0 - y * y', ref: Math.tanh, dref: (x) => 1 / Math.cosh(x) ** 2, domain: 'real',
              jvp: 'ẏ = (1 − y²)·ẋ', vjp: 'x̄ = (1 − y²)·ȳ' },
  sigmoid:  { y: '1.0 / (1.0 + Math.exp(-x))', dydx: 'y * (1.0 - y)', ref: sigmoid64, dref: (x) => sigmoid64(x) * sigmoid64(-x), domain: 'real',
              jvp: 'ẏ = y(1 − y)·ẋ', vjp: 'x̄ = y(1 − y)·ȳ' },
  exp:      { y: 'Math.exp(x)', dydx: 'y', ref: Math.exp, dref: Math.exp, domain: 'real',
              jvp: 'ẏ = y·ẋ', vjp: 'x̄ = y·ȳ' },
  log:      { y: 'Math.log(x)', dydx: '1.0 / x', ref: Math.log, dref: (x) => 1 / x, domain: 'positive',
              jvp: 'ẏ = ẋ / x', vjp: 'x̄ = ȳ / x' },
  // log(1 + eˣ) = max(x, 0) + log1p(e^−|x|): no overflow for large x, full precision for x ≪ 0.
  softplus: { y: 'Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)))', dydx: '1.0 / (1.0 + Math.exp(-x))',
              ref: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))), dref: sigmoid64, domain: 'real',
              jvp: 'ẏ = sigmoid(x)·ẋ', vjp: 'x̄ = sigmoid(x)·ȳ' },
} satisfies Record<string, UnaryEntry>;

// prettier-ignore
export const BINARY = {
  add: { y: 'a + b', da: '1.0', db: '1.0', ref: (a, b) => a + b, dref: () => [1, 1], domain: ['real', 'real'],
         jvp: 'ẏ = ȧ + ḃ (broadcast operand tangent broadcast alike)', vjp: 'ā = Σ ȳ, b̄ = Σ ȳ (Σ: summed back to the operand\'s shape)' },
  sub: { y: 'a - b', da: '1.0', db: '-1.0', ref: (a, b) => a - b, dref: () => [1, -1], domain: ['real', 'real'],
         jvp: 'ẏ = ȧ − ḃ', vjp: 'ā = Σ ȳ, b̄ = −Σ ȳ' },
  mul: { y: 'a * b', da: 'b', db: 'a', ref: (a, b) => a * b, dref: (a, b) => [b, a], domain: ['real', 'real'],
         jvp: 'ẏ = ȧ·b + a·ḃ', vjp: 'ā = Σ ȳ·b, b̄ = Σ ȳ·a' },
  div: { y: 'a / b', da: '1.0 / b', db: '-y / b', ref: (a, b) => a / b, dref: (a, b) => [1 / b, -a / (b * b)], domain: ['real', 'awayFromZero'],
         jvp: 'ẏ = ȧ/b − y·ḃ/b', vjp: 'ā = Σ ȳ/b, b̄ = −Σ ȳ·y/b' },
} satisfies Record<string, BinaryEntry>;

export type UnaryOp = keyof typeof UNARY;
export type BinaryOp = keyof typeof BINARY;

export const UNARY_OPS = Object.keys(UNARY) as UnaryOp[];
export const BINARY_OPS = Object.keys(BINARY) as BinaryOp[];
