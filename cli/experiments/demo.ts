// `npm run demo`: the paper's MLP (784→1024→1024→10, ReLU) on the embedded MNIST digits, forward
// gradients against backprop, one run each, sized to finish within ~3 minutes on a 2-core machine.
//
// Learning rates: the paper's η0 = 2e-4 (same for both methods) barely moves the MLP in the few
// hundred steps a 3-minute budget allows (backprop at 2e-4: 19% validation accuracy after 300 steps), so
// the demo gives each method its own rate, the one with the lowest validation loss after 300 steps
// in our sweeps (`forwardgrad train mlp --method fgd --lr-sweep 1e-4,3e-4,1e-3 --iterations 300
// --runs 1` and the same with --method backprop over 0.03,0.1,0.3,1):
//   FGD:      1e-4 → 2.26, 3e-4 → 2.12 (best), 1e-3 diverged
//   backprop: 0.03 → 0.34, 0.1 → 0.26, 0.3 → 0.19 (best), 1 diverged
// The paper-settings run is `forwardgrad train mlp`.
export const DEMO = {
  model: 'mlp' as const,
  iterations: 300,
  evalEvery: 50,
  runs: 1,
  seed: 1,
  lr: { fgd: 3e-4, backprop: 0.3 },
  lrWhy:
    "each method at its own best rate (lowest validation loss) of a half-decade sweep at this length; the paper's 2e-4 learns too little in 3 minutes",
  timingRounds: 3,
  timingSteps: 3,
};
