/** f(θ) and its gradient written into `grad`. */
export type Objective = (theta: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  maxIterations: number;
  /** Stop when the largest gradient component is at most this. */
  gradientTolerance?: number;
  /**
   * Stop when an iteration lowers f by at most this, relative to max(|f_k|, |f_k+1|, floor): scipy's L-BFGS-B
   * `ftol` test (scikit-learn's lbfgs stops there). Off (0) unless given.
   */
  relativeTolerance?: number;
  /** The floor of that denominator: scipy uses 1 on its own scale; pass 1/n for a mean loss of a sum's. */
  relativeFloor?: number;
  memory?: number;
  onIteration?: (iteration: number, loss: number) => void;
}

export interface LbfgsResult {
  theta: Float64Array;
  loss: number;
  iterations: number;
  converged: boolean;
}

const ARMIJO_C1 = 1e-4;
const MIN_STEP = 1e-20;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * Full-batch L-BFGS (two-loop recursion, memory 10) with Armijo backtracking. Deterministic: a fixed order of
 * floating-point operations and no randomness, so the same start gives the same θ bit for bit.
 */
export function lbfgs(f: Objective, start: Float64Array, options: LbfgsOptions): LbfgsResult {
  const n = start.length;
  const m = options.memory ?? 10;
  const tolerance = options.gradientTolerance ?? 1e-7;
  const relative = options.relativeTolerance ?? 0;
  const floor = options.relativeFloor ?? 1;
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  let theta = Float64Array.from(start);
  let grad = new Float64Array(n);
  let loss = f(theta, grad);
  const direction = new Float64Array(n);
  const alpha = new Float64Array(m);
  let next = new Float64Array(n);
  let nextGrad = new Float64Array(n);

  for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
    if (maxAbs(grad) <= tolerance) return { theta, loss, iterations: iteration - 1, converged: true };

    for (let i = 0; i < n; i++) direction[i] = -grad[i];
    for (let k = s.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(s[k], direction);
      for (let i = 0; i < n; i++) direction[i] -= alpha[k] * y[k][i];
    }
    if (s.length > 0) {
      const last = s.length - 1;
      const gamma = dot(s[last], y[last]) / dot(y[last], y[last]);
      for (let i = 0; i < n; i++) direction[i] *= gamma;
    }
    for (let k = 0; k < s.length; k++) {
      const beta = rho[k] * dot(y[k], direction);
      for (let i = 0; i < n; i++) direction[i] += s[k][i] * (alpha[k] - beta);
    }
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // Not a descent direction (curvature lost to rounding): forget the history and go down the gradient.
      s.length = y.length = rho.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -grad[i];
      slope = dot(grad, direction);
    }

    let step = s.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    let nextLoss = Infinity;
    for (;;) {
      for (let i = 0; i < n; i++) next[i] = theta[i] + step * direction[i];
      nextLoss = f(next, nextGrad);
      if (nextLoss <= loss + ARMIJO_C1 * step * slope) break;
      step /= 2;
      if (step < MIN_STEP) return { theta, loss, iterations: iteration, converged: false };
    }

    const sk = new Float64Array(n);
    const yk = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sk[i] = next[i] - theta[i];
      yk[i] = nextGrad[i] - grad[i];
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12 * Math.sqrt(dot(yk, yk) * dot(sk, sk))) {
      if (s.length === m) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
    }
    const previous = loss;
    [theta, next] = [next, theta];
    [grad, nextGrad] = [nextGrad, grad];
    loss = nextLoss;
    options.onIteration?.(iteration, loss);
    // No measurable progress left in float64: the optimum is as good as it gets.
    if (previous - loss <= 1e-15 * Math.max(1, Math.abs(loss))) {
      return { theta, loss, iterations: iteration, converged: true };
    }
    if (previous - loss <= relative * Math.max(Math.abs(previous), Math.abs(loss), floor)) {
      return { theta, loss, iterations: iteration, converged: true };
    }
  }
  return { theta, loss, iterations: options.maxIterations, converged: maxAbs(grad) <= tolerance };
}
