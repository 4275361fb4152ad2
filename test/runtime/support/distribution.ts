// Statistics shared by the RNG tests: the normal CDF, the Kolmogorov–Smirnov test, and the sample
// moments of N(0, 1) checked against their standard errors.

/** Standard normal CDF via erf (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7: far below the KS bound). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2,
    t = 1 / (1 + 0.3275911 * z);
  const erf =
    1 -
    t *
      (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
      Math.exp(-z * z);
  return 0.5 * (1 + (x >= 0 ? erf : -erf));
}

/** Kolmogorov–Smirnov statistic D_n of a sample against a CDF (default: standard normal). */
export function ksStatistic(sample: ArrayLike<number>, cdf: (x: number) => number = normalCdf): number {
  const s = Float64Array.from(sample).sort();
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    const f = cdf(s[i]);
    d = Math.max(d, (i + 1) / s.length - f, f - i / s.length);
  }
  return d;
}

/** Critical value of D_n at significance 0.001 (asymptotic): 1.9495/√n. */
export const ksCritical = (n: number): number => 1.9495 / Math.sqrt(n);

/** Mean, variance, skew and kurtosis of a N(0,1) sample, each within 5 standard errors
 * (sqrt(Var[v^k]/N) with Var = 1, 2, 15, 96). */
export function expectStandardNormalMoments(x: ArrayLike<number>): void {
  const n = x.length;
  let m1 = 0,
    m2 = 0,
    m3 = 0,
    m4 = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    m1 += v;
    m2 += v * v;
    m3 += v ** 3;
    m4 += v ** 4;
  }
  m1 /= n;
  m2 /= n;
  m3 /= n;
  m4 /= n;
  expect(Math.abs(m1)).toBeLessThan(5 * Math.sqrt(1 / n));
  expect(Math.abs(m2 - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  expect(Math.abs(m3)).toBeLessThan(5 * Math.sqrt(15 / n));
  expect(Math.abs(m4 - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
}
