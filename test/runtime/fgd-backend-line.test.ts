// fgd says once which backend a tensor run uses, above its progress bar; quiet runs and scalar-only runs say
// nothing (a scalar-only run must not even load a backend for it).
import { Tensor, tensor, matmul, sub, square, mean } from '../../runtime/index';
import { fgd } from '../../runtime/fgd';
import * as select from '../../kernels/select';

/** @forwardGrad */
function leastSquares(w: Tensor, x: Tensor, y: Tensor): Tensor {
  return mean(square(sub(matmul(x, w), y)));
}

/** @forwardGrad */
function bowl(w: number[]): number {
  return w[0] * w[0] + 2 * w[1] * w[1];
}

const X = tensor([1, 2, 0.5, -1, 3, 1], [2, 3]);
const Y = tensor([1, -1], [2, 1]);

/** Everything written to stdout while `run` runs. */
function stdoutOf(run: () => void): string {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return out;
}

const LINE = /^fgd: kernels on the (\S+) backend(, (\d+) threads?)?$/m;

test('a tensor run with the bar on names the backend (and its threads, where it has them) once', () => {
  const spy = jest.spyOn(select, 'getBackend'); // the control for the scalar-only test: the spy sees the loop's calls
  let out: string;
  try {
    out = stdoutOf(() =>
      fgd(leastSquares, [tensor([0, 0, 0], [3, 1])], {
        lr: 0.05,
        iterations: 3,
        seed: 1,
        inputs: () => [X, Y],
        progress: true,
      }),
    );
    expect(spy).toHaveBeenCalled();
  } finally {
    spy.mockRestore();
  }
  const lines = out.split('\n').filter((l) => LINE.test(l));
  expect(lines).toHaveLength(1);
  const m = LINE.exec(lines[0])!;
  const b = select.getBackend() as { name: string; threads?: number };
  expect(m[1]).toBe(b.name);
  expect(m[3] === undefined ? undefined : Number(m[3])).toBe(b.threads);
});

test('progress: false keeps a tensor run quiet', () => {
  const out = stdoutOf(() =>
    fgd(leastSquares, [tensor([0, 0, 0], [3, 1])], {
      lr: 0.05,
      iterations: 3,
      seed: 1,
      inputs: () => [X, Y],
      progress: false,
    }),
  );
  expect(out).not.toMatch(/backend/);
});

test('a scalar-only run says nothing about backends and never asks for one', () => {
  const spy = jest.spyOn(select, 'getBackend');
  try {
    const out = stdoutOf(() => fgd(bowl, [[1, 1]], { lr: 0.1, iterations: 3, seed: 1, progress: true }));
    expect(out).not.toMatch(/backend/);
    expect(spy).not.toHaveBeenCalled();
  } finally {
    spy.mockRestore();
  }
});
