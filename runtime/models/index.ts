// `forwardgrad/models`: the paper's models (§5.3–5.6) as annotated TypeScript. Not re-exported by
// runtime/index.ts: their emitted twins import the runtime, so that would be an import cycle.
export type { Model, Layout } from './types';
export { logisticRegression, logregLoss, logregLogits, initLogreg } from './logreg';
export type { LogregParams } from './logreg';
export { mlp, mlpLoss, mlpLogits, initMlp, PAPER_MLP } from './mlp';
export type { MlpParams, MlpSizes } from './mlp';
export { cnn, cnnLoss, cnnLogits, cnnBlock, initCnn, PAPER_CNN } from './cnn';
export type { CnnParams, CnnSizes } from './cnn';
export { deepMlp, deepMlpLoss, deepMlpLogits, initDeepMlp, MAX_DEPTH, PAPER_DEEP_MLP } from './deep-mlp';
export type { DeepMlpParams, DeepMlpSizes } from './deep-mlp';
export { beale, rosenbrock, TEST_FUNCTIONS } from './testfns';
export type { TestFunction } from './testfns';

import { logisticRegression } from './logreg';
import { mlp } from './mlp';
import { cnn } from './cnn';
import type { Model } from './types';

/** The paper's three trained models by CLI name. */
export const MODELS: { readonly logreg: Model; readonly mlp: Model; readonly cnn: Model } = {
  logreg: logisticRegression,
  mlp,
  cnn,
};
