// The training loop of the page: forward gradient descent (fgd: one forward pass per step gives the
// loss and ∇f·v for v ~ N(0, I); θ ← θ − η(∇f·v)v) on minibatches of the embedded digits, run in
// slices of a few steps per animation frame so the page stays responsive. Each slice is one fgd
// call with its own seed (seed, slice), so directions never repeat across slices.
import { Batches, fgd, evaluate, tensor, tidy, type Dataset, type Tensor } from '../../runtime/index';
import { initMlp, mlp, mlpLogits, mlpLoss, type MlpParams, type MlpSizes } from '../../runtime/models/mlp';

export interface ModelChoice {
  id: string;
  label: string;
  sizes: MlpSizes;
  lr: number;
}

export const MODELS: ModelChoice[] = [
  { id: 'paper', label: "Paper's MLP · 784-1024-1024-10 · 1.86M params", sizes: [784, 1024, 1024, 10], lr: 2e-4 },
  { id: 'compact', label: 'Compact MLP · 784-128-64-10 · 109k params', sizes: [784, 128, 64, 10], lr: 1e-3 },
];

export interface SliceResult {
  losses: number[];
  ms: number;
  diverged: boolean;
}

export class Trainer {
  params: MlpParams;
  step = 0;
  private slice = 0;
  private readonly batches: Batches;
  /** Measured milliseconds per step on the current backend (adapts the slice length). */
  msPerStep = NaN;

  constructor(
    readonly model: ModelChoice,
    readonly lr: number,
    private readonly train: Dataset,
    private readonly validation: Dataset,
    readonly seed = 1,
  ) {
    this.params = initMlp(seed, model.sizes);
    this.batches = new Batches(train, { seed, layout: 'flat', batchSize: 64 });
  }

  /** Runs as many steps as fit in about `budgetMs` (at least one). */
  run(budgetMs: number): SliceResult {
    const n = Number.isFinite(this.msPerStep) ? Math.max(1, Math.min(50, Math.floor(budgetMs / this.msPerStep))) : 1;
    const first = this.step,
      t0 = performance.now();
    const r = fgd(mlpLoss, [this.params], {
      lr: this.lr,
      decay: 0,
      iterations: n,
      seed: this.seed * 1_000_003 + ++this.slice,
      progress: false,
      inputs: (t) => {
        const b = this.batches.batch(first + t);
        return [b.x, b.labels];
      },
    });
    const ms = performance.now() - t0;
    this.msPerStep = Number.isFinite(this.msPerStep) ? 0.7 * this.msPerStep + 0.3 * (ms / n) : ms / n;
    this.step += r.losses.length;
    return { losses: r.losses, ms, diverged: r.status !== 'completed' };
  }

  /** Loss and accuracy on the first `count` validation digits. */
  validate(count = 500): { loss: number; accuracy: number } {
    const v = this.validation,
      n = Math.min(count, v.count);
    return evaluate(
      mlp,
      this.params,
      { ...v, images: v.images.subarray(0, n * 784), labels: v.labels.subarray(0, n), count: n },
      { batchSize: n },
    );
  }

  /**
   * Class probabilities for one 28×28 image. The logits are read with `await data()`: on WebGL2 they
   * sit in a texture, and the asynchronous read-back (a pixel-pack buffer and a fence) lets the page
   * keep drawing while the GPU finishes.
   */
  async classify(image: Float32Array): Promise<Float32Array> {
    const logits = tidy(() => mlpLogits(this.params, tensor(image, [1, 784])) as Tensor);
    try {
      const z = await logits.data();
      const m = Math.max(...z),
        e = Float32Array.from(z, (v) => Math.exp(v - m)),
        s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    } finally {
      logits.dispose();
    }
  }
}
