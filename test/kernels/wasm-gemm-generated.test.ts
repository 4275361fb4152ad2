// The wasm gemm with a generated B (GemmArgs.bSource: a lazy random direction is generated into the
// arena where a copied B goes, then packed): every case must give the bits of the same call with B
// stored, since the packed values are the same. The source here serves a stored array's elements
// and records what was asked, so the test also sees that B is never read and no element is skipped.
import type { GemmArgs, GeneratedArray } from '../../kernels/backend';
import { createWasmBackend, type WasmBackend } from '../../kernels/wasm/index';
import { rng } from '../support/random';

interface Case {
  m: number;
  n: number;
  k: number;
  transB?: boolean;
  batch?: number;
  sharedB?: boolean;
  padB?: number;
  offB?: number;
  beta?: number;
}

function args(cs: Case, seed: number): GemmArgs {
  const r = rng(seed, -0.5, 0.5),
    fill = (len: number) => Float32Array.from({ length: len }, r);
  const { m, n, k } = cs,
    batch = cs.batch ?? 1;
  const ldb = (cs.transB ? k : n) + (cs.padB ?? 0),
    bSize = (cs.transB ? n : k) * ldb,
    strideB = cs.sharedB ? 0 : bSize + 3,
    offB = cs.offB ?? 0;
  return {
    m,
    n,
    k,
    batch,
    alpha: 1,
    beta: cs.beta ?? 0,
    a: fill(batch * m * k),
    aOffset: 0,
    lda: k,
    transA: false,
    strideA: m * k,
    b: fill(offB + (batch - 1) * strideB + bSize),
    bOffset: offB,
    ldb,
    transB: !!cs.transB,
    strideB,
    c: fill(batch * m * n),
    cOffset: 0,
    ldc: n,
    strideC: m * n,
  };
}

/** A generated array over `b`'s elements, counting the elements served. */
function sourceOf(b: Float32Array): GeneratedArray & { served: number } {
  return {
    length: b.length,
    served: 0,
    fill(out: Float32Array, from: number) {
      if (from < 0 || from + out.length > b.length) throw new Error(`fill [${from}, ${from + out.length}) outside B`);
      out.set(b.subarray(from, from + out.length));
      this.served += out.length;
    },
  };
}

function same(be: WasmBackend, cs: Case, seed: number): void {
  const stored = args(cs, seed),
    generated = args(cs, seed);
  const src = sourceOf(generated.b);
  be.gemm(stored);
  be.gemm({ ...generated, b: new Float32Array(0), bSource: src });
  expect(Array.from(generated.c)).toEqual(Array.from(stored.c));
  // each item's op(B) once (a shared B once), nothing more
  const items = cs.sharedB && (cs.batch ?? 1) > 1 ? 1 : (cs.batch ?? 1);
  expect(src.served).toBe(items * cs.k * cs.n);
}

const CASES: Case[] = [
  { m: 5, n: 13, k: 7 },
  { m: 64, n: 100, k: 33, beta: 1 },
  { m: 9, n: 17, k: 31, padB: 4, offB: 5 },
  { m: 8, n: 24, k: 16, transB: true, padB: 3 },
  { m: 12, n: 40, k: 20, batch: 3, beta: 1 },
  { m: 4, n: 9, k: 11, batch: 2, sharedB: true },
];

describe('wasm gemm with a generated B', () => {
  let one: WasmBackend, two: WasmBackend;
  beforeAll(() => {
    one = createWasmBackend({ threads: 1 });
    two = createWasmBackend({ threads: 2, minParallelFlops: 0 });
    two.waitForThreads();
  });
  afterAll(async () => {
    await one.dispose();
    await two.dispose();
  });

  test.each(CASES.map((c, i) => [JSON.stringify(c), c, i] as const))('one thread: %s', (_n, cs, i) =>
    same(one, cs, 100 + i),
  );
  test.each(CASES.map((c, i) => [JSON.stringify(c), c, i] as const))('two threads: %s', (_n, cs, i) =>
    same(two, cs, 200 + i),
  );

  test('a call too big for the arena is split and still generates every element once', () => {
    const small = createWasmBackend({ threads: 1, memoryMB: 2, heapShare: 0 });
    // 3 MB of B alone: split along n until each part fits beside the control block
    same(small, { m: 4, n: 1024, k: 768, beta: 1 }, 7);
  });

  test('bVersion is ignored with a generated B (its contents are not a stored buffer to cache)', () => {
    const cs = { m: 6, n: 16, k: 8 };
    const g = args(cs, 9);
    const src = sourceOf(g.b);
    const call = () =>
      one.gemm({ ...g, c: new Float32Array(6 * 16), b: new Float32Array(0), bSource: src, bVersion: 1 });
    call();
    call();
    expect(src.served).toBe(2 * 8 * 16);
  });
});
