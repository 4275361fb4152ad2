// The shape every trainable model of `forwardgrad/models` has: an annotated loss (its twin serves
// forward gradients, its taped ops serve backprop), the logits for accuracy, an initializer, and
// the paper's learning rate. No annotated code here, so runtime/data may import these types.
import type { Tensor } from '../tensor/tensor';
import type { Layout } from '../data/batches';

export type { Layout };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each model's parameter object type; callers that hold any model leave it open
export interface Model<P = any> {
  /** 'logreg' | 'mlp' | 'cnn' | 'deep-mlp-<L>'. */
  readonly name: string;
  /** How Batches must shape x: 'flat' [B, 784] or 'image' [B, 1, 28, 28]. */
  readonly layout: Layout;
  /** Mean softmax cross-entropy on a batch (annotated @forwardGrad). */
  readonly loss: (p: P, x: Tensor, labels: Int32Array) => Tensor;
  /** Class scores [B, 10]. */
  readonly logits: (p: P, x: Tensor) => Tensor;
  /** Fresh parameters from a seed (He/Kaiming normal for ReLU layers; see each model's header). */
  readonly init: (seed: number) => P;
  /** The paper's initial learning rate η0 for this model (§5.3–5.6). */
  readonly paperLr: number;
  readonly description: string;
}
