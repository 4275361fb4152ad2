// The Chromium suite's page (test/browser/browser.test.ts bundles it with our esbuild plugin and
// nothing else): trains the MLP of forwardgrad/models (small sizes, synthetic clustered data) with
// forward gradient descent on each backend asked for, runs every kernel check on gpujs-gpu (WebGL2),
// and leaves the results in `window.__suite` for the test to read.
import { fgd, getBackend, setBackend, tensor, keep, type Tensor } from '../../../runtime/index';
import { initMlp, mlpLoss, type MlpSizes } from '../../../runtime/models/mlp';
import { checkKernels, type KernelCheck } from './kernel-checks';
import { rng } from '../../support/random';
import { fillNormal } from '../../../kernels/rng';
import { isResident, residencyInfo } from '../../../kernels/residency';
import { createGlNormals } from '../../../kernels/gpujs/philox-gl';

export interface TrainResult {
  backend: string;
  losses: number[];
  msPerStep: number;
  threads?: number;
  /** Device read-backs (kernels/residency.ts) over steps 2 … N, per step: 0 when everything stays on the device. */
  downloadsPerStep?: number;
  /** Device segments alive after training (parameters, at least, on a device backend). */
  deviceSegments?: number;
  error?: string;
}
export interface SuiteResult {
  crossOriginIsolated: boolean;
  renderer: string;
  train: TrainResult[];
  kernels: { backend: string; checks: KernelCheck[]; ms: number; error?: string };
  /** Worst |GPU − float64 CPU| over the normals, and the same against the stream shifted by one (must be large). */
  philox: { n: number; maxErr: number; maxAbsZ: number; shiftedErr: number; error?: string };
  /** `await t.data()` of a tensor living in a texture (host copy poisoned): read back through a pixel-pack buffer and a fence. */
  asyncRead: { exact: boolean; wasResident: boolean; nowResident: boolean; error?: string };
  done: true;
}

const SIZES: MlpSizes = [64, 32, 32, 10];
const BATCH = 32;

/** Ten well-separated clusters in 64 dimensions: learnable in a few dozen FGD steps. */
function dataset(n: number, seed: number): { x: Float32Array; labels: Int32Array } {
  const rand = rng(seed);
  const protos = Float32Array.from({ length: 10 * SIZES[0] }, () => rand() * 2 - 1);
  const x = new Float32Array(n * SIZES[0]),
    labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(rand() * 10);
    for (let j = 0; j < SIZES[0]; j++) x[i * SIZES[0] + j] = protos[labels[i] * SIZES[0] + j] + 0.3 * (rand() * 2 - 1);
  }
  return { x, labels };
}

/** The WebGL2 renderer string (SwiftShader on a machine without a GPU). */
function renderer(): string {
  const doc = (globalThis as unknown as { document?: { createElement(t: string): { getContext(k: string): unknown } } })
    .document;
  const gl = doc?.createElement('canvas').getContext('webgl2') as {
    getParameter(p: number): string;
    getExtension(n: string): { UNMASKED_RENDERER_WEBGL: number } | null;
  } | null;
  if (!gl) return 'no WebGL2';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(0x1f01);
}

async function train(name: string, steps: number): Promise<TrainResult> {
  try {
    await setBackend(name);
    const b = getBackend() as { name: string; threads?: number; waitForThreads?(ms: number): boolean };
    // A page's main thread cannot block while the wasm helper boots: yield until it is up.
    for (let i = 0; i < 100 && b.waitForThreads && !b.waitForThreads(0); i++)
      await new Promise((r) => setTimeout(r, 20));
    const { x, labels } = dataset(BATCH * 8, 7);
    const batches = Array.from({ length: 8 }, (_, i) =>
      keep(tensor(x.subarray(i * BATCH * SIZES[0], (i + 1) * BATCH * SIZES[0]), [BATCH, SIZES[0]])),
    );
    const params = initMlp(1, SIZES);
    let downloads0 = NaN,
      downloads1 = NaN;
    const run = fgd(mlpLoss, [params], {
      lr: Number(
        new URLSearchParams((globalThis as unknown as { location: { search: string } }).location.search).get('lr') ??
          0.005,
      ),
      decay: 0,
      iterations: steps,
      seed: 3,
      progress: false,
      inputs: (t) => [batches[(t - 1) % 8], labels.subarray(((t - 1) % 8) * BATCH, (((t - 1) % 8) + 1) * BATCH)],
      // read-backs counted from the end of step 1 (its first-use uploads and compiles) to the last
      onStep: ({ step }) => {
        if (step === 1) downloads0 = residencyInfo().downloads;
        if (step === steps) downloads1 = residencyInfo().downloads;
      },
    });
    const deviceSegments = residencyInfo().segments;
    for (const t of batches) t.dispose();
    // Read one parameter back the asynchronous way, as a GPU user would.
    const w = await (params.w1 as Tensor).data();
    if (!w.every(Number.isFinite)) throw new Error('non-finite parameters after training');
    return {
      backend: b.name,
      losses: run.losses,
      msPerStep: run.elapsedMs / steps,
      threads: b.threads,
      downloadsPerStep: (downloads1 - downloads0) / (steps - 1),
      deviceSegments,
    };
  } catch (e) {
    return { backend: name, losses: [], msPerStep: NaN, error: (e as Error).stack ?? String(e) };
  }
}

async function main(): Promise<void> {
  const params = new URLSearchParams((globalThis as unknown as { location: { search: string } }).location.search);
  const steps = Number(params.get('steps') ?? 40);
  const backends = (params.get('backends') ?? 'wasm,gpujs-gpu').split(',');
  const result: Partial<SuiteResult> = {
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    renderer: renderer(),
    train: [],
  };
  for (const name of backends) result.train!.push(await train(name, steps));
  const t0 = performance.now();
  try {
    const b = await setBackend(params.get('kernels') ?? 'gpujs-gpu');
    // 1 = the Node tolerances exactly; the test passes a documented slack for GLSL transcendentals.
    const slack = Number(params.get('slack') ?? 1);
    result.kernels = {
      backend: b.name,
      checks: [
        ...checkKernels(b, { transcendentalSlack: slack }),
        // operands read from device copies at offsets, fused outputs stacked: the training layout
        ...(b.device ? checkKernels(b, { transcendentalSlack: slack, deviceOperands: true }) : []).map((c) => ({
          ...c,
          name: `device operands: ${c.name}`,
        })),
      ],
      ms: performance.now() - t0,
    };
  } catch (e) {
    result.kernels = {
      backend: params.get('kernels') ?? 'gpujs-gpu',
      checks: [],
      ms: performance.now() - t0,
      error: (e as Error).message,
    };
  }
  try {
    // A seed and stream with high words, an unaligned offset across a 2^32 block-counter carry.
    const seed = 0x12345 * 2 ** 32 + 0x89abcdef,
      stream = 0x101 * 2 ** 32 + 5,
      offset = (2 ** 32 - 300) * 4 + 3,
      n = 20000;
    const gl = (
      globalThis as unknown as { document: { createElement(t: string): { getContext(k: string): unknown } } }
    ).document
      .createElement('canvas')
      .getContext('webgl2');
    const gen = createGlNormals(gl);
    const got = gen.fill(new Float32Array(n), seed, stream, offset);
    const want = fillNormal(new Float64Array(n), seed, stream, offset);
    const shifted = fillNormal(new Float64Array(n), seed, stream, offset + 1);
    let maxErr = 0,
      maxAbsZ = 0,
      shiftedErr = 0;
    for (let i = 0; i < n; i++) {
      maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
      maxAbsZ = Math.max(maxAbsZ, Math.abs(want[i]));
      shiftedErr = Math.max(shiftedErr, Math.abs(got[i] - shifted[i]));
    }
    gen.destroy();
    result.philox = { n, maxErr, maxAbsZ, shiftedErr };
  } catch (e) {
    result.philox = { n: 0, maxErr: NaN, maxAbsZ: NaN, shiftedErr: NaN, error: (e as Error).message };
  }
  try {
    await setBackend('gpujs-gpu');
    const want = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 1e3);
    const t = tensor(want);
    const buf = t.kernelBuffer;
    (getBackend() as unknown as { upload(b: Float32Array): void }).upload(buf);
    buf.fill(NaN); // the texture alone holds the values now
    const wasResident = isResident(buf);
    const got = await t.data();
    result.asyncRead = {
      exact: got.every((v, i) => v === want[i]),
      wasResident,
      nowResident: isResident(buf),
    };
  } catch (e) {
    result.asyncRead = { exact: false, wasResident: false, nowResident: false, error: (e as Error).message };
  }
  result.done = true;
  (globalThis as unknown as { __suite: SuiteResult }).__suite = result as SuiteResult;
  const doc = (globalThis as unknown as { document: { body: { textContent: string } } }).document;
  doc.body.textContent = JSON.stringify(
    {
      ...result,
      kernels: {
        ...result.kernels,
        checks: `${result.kernels!.checks.filter((c) => c.ok).length}/${result.kernels!.checks.length} ok`,
      },
    },
    null,
    1,
  );
}

void main();
