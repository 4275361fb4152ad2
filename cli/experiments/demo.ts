// `npm run demo`: the paper's MLP (784→1024→1024→10, ReLU) on the embedded MNIST digits, forward
// gradients against backprop, one run each, sized to finish within ~3 minutes on a 2-core machine.
//
// Learning rates: the paper's η0 = 2e-4 (same for both methods) barely moves the MLP in the few
// hundred steps a 3-minute budget allows, so the demo gives each method its own rate, the best of a
// sweep over {1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1} (`forwardgrad train mlp --lr-sweep
// --iterations DEMO.iterations --runs 1`, lowest validation loss). The paper-settings run is
// `forwardgrad train mlp`.
export const DEMO = {
  model: 'mlp' as const,
  iterations: 600,
  evalEvery: 50,
  runs: 1,
  seed: 1,
  lr: { fgd: 3e-3, backprop: 1e-1 },
  lrWhy: 'each method at its own best rate from a sweep over 1e-4 … 1e-1 (half-decades) at this length; the paper\'s 2e-4 learns too little in 3 minutes',
  timingRounds: 3,
  timingSteps: 3,
};
