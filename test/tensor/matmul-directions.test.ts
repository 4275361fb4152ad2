// matmul's JVP with K directions (vector mode): ẏ_k = ȧ_k·b + a·ḃ_k, where [a; ȧ_1 … ȧ_K]·b is one
// gemm over stacked rows and a·ḃ_1 … a·ḃ_K one gemm call per direction or one batched call sharing
// A (strideA = 0; setDirectionProducts). Each direction's numbers must be those of a
// single-direction run: the same products in the same summation order, so bit for bit on every
// backend, either way. Shapes like the paper MLP's layers, smaller:
// the first (weight tangents only: the data has none) and a hidden one (both tangents).
import { Rng } from '../../kernels/rng';
import { getBackend, setBackend } from '../../kernels/select';
import type { GemmArgs } from '../../kernels/backend';
import { matmulJvp } from '../../runtime/ops/index';
import { DirectionProducts, setDirectionProducts } from '../../runtime/ops/matmul';
import { Tensor } from '../../runtime/tensor/tensor';
import { BACKENDS, direction, randomTensor, stackDirections } from './helpers';

const bits = (t: Tensor) => Buffer.from(Float32Array.from(t.toArray()).buffer);

const MODES: DirectionProducts[] = ['perDirection', 'batched'];
const cases = BACKENDS.flatMap((b) => MODES.map((m) => [b, m] as const));

describe.each(cases)('matmul JVP, K directions = K single runs on backend %s, products %s', (backendName, mode) => {
  let was: DirectionProducts;
  beforeAll(() => {
    setBackend(backendName);
    was = setDirectionProducts(mode);
  });
  afterAll(() => {
    setBackend('js');
    setDirectionProducts(was);
  });

  test.each([
    // M, K, N, directions, input tangent too
    [64, 300, 40, 16, false],
    [64, 128, 96, 16, true],
    [5, 7, 9, 4, true], // edges: M, N not multiples of the 4×8 tile
    [3, 1, 2, 2, false],
  ])('%i×%i×%i, K=%i directions, ȧ active: %s', (M, Kd, N, K, withDa) => {
    const rng = new Rng(M * 1000 + N);
    const a = randomTensor(rng, [M, Kd]),
      b = randomTensor(rng, [Kd, N]);
    const das = Array.from({ length: K }, () => randomTensor(rng, [M, Kd])),
      dbs = Array.from({ length: K }, () => randomTensor(rng, [Kd, N]));
    const [y, dy] = matmulJvp(a, withDa ? stackDirections(das) : undefined, b, stackDirections(dbs));
    expect(dy!.shape).toEqual([K, M, N]);
    for (let k = 0; k < K; k++) {
      const [y1, dy1] = matmulJvp(a, withDa ? das[k] : undefined, b, dbs[k]);
      expect(bits(y).equals(bits(y1))).toBe(true);
      expect(bits(direction(dy!, k)).equals(bits(dy1!))).toBe(true);
    }
  });

  test('the weight-tangent products: one call each, or one batched call with A shared (strideA = 0)', () => {
    const rng = new Rng(3);
    const calls: GemmArgs[] = [];
    const be = getBackend(),
      gemm = be.gemm;
    be.gemm = (g) => {
      calls.push(g);
      gemm(g);
    };
    try {
      matmulJvp(randomTensor(rng, [8, 16]), undefined, randomTensor(rng, [16, 24]), randomTensor(rng, [5, 16, 24]));
    } finally {
      be.gemm = gemm;
    }
    expect(calls[0]).toMatchObject({ m: 8, batch: 1 }); // y = a·b
    // ẏ_k = a·ḃ_k: offsets relative to the first product's (ẏ sits after y in one buffer)
    const { bOffset: b0, cOffset: c0 } = calls[1];
    const got = calls
      .slice(1)
      .map((c) => [c.m, c.batch, c.strideA, c.strideB, c.strideC, c.bOffset - b0, c.cOffset - c0]);
    expect(got).toEqual(
      mode === 'batched'
        ? [[8, 5, 0, 16 * 24, 8 * 24, 0, 0]]
        : [0, 1, 2, 3, 4].map((k) => [8, 1, 0, 0, 0, k * 16 * 24, k * 8 * 24]),
    );
  });

  test('the comparison can fail: another direction differs', () => {
    const rng = new Rng(9);
    const a = randomTensor(rng, [4, 8]),
      b = randomTensor(rng, [8, 8]);
    const dbs = [randomTensor(rng, [8, 8]), randomTensor(rng, [8, 8])];
    const [, dy] = matmulJvp(a, undefined, b, stackDirections(dbs));
    expect(bits(direction(dy!, 1)).equals(bits(matmulJvp(a, undefined, b, dbs[0])[1]!))).toBe(false);
  });
});

test('setDirectionProducts rejects other modes', () => {
  expect(() => setDirectionProducts('stacked' as DirectionProducts)).toThrow(
    /setDirectionProducts: mode must be 'perDirection' or 'batched', got "stacked"/,
  );
});
