/** Seeded generators for simulation tests: the same seed replays the same run. */

/** mulberry32: a small 32-bit generator, uniform in [0, 1). Good enough for Monte-Carlo tests, not for crypto. */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller) from a uniform generator. */
export function seededNormal(uniform: () => number): () => number {
  return () => {
    const u = 1 - uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

/**
 * Exact Binomial(n, p) draws by inverting the CDF (one uniform per draw, table built once): the same distribution
 * as summing n Bernoulli(p) draws, n times cheaper, so simulations can stay exact rather than use a normal shortcut.
 */
export function seededBinomial(uniform: () => number, n: number, p: number): () => number {
  const cdf: number[] = [];
  let pmf = (1 - p) ** n;
  let total = 0;
  for (let k = 0; k <= n; k++) {
    total += pmf;
    cdf.push(total);
    pmf *= ((n - k) / (k + 1)) * (p / (1 - p));
  }
  return () => {
    const u = uniform() * total;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
