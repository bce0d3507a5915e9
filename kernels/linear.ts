// AssemblyScript, compiled to WebAssembly (SIMD) by scripts/kernels.mjs: the linear trainers' passes over rows held
// in the instance's memory (the logistic losses' sums and gradients, one pass over each row for both; ridge's Gram
// matrix). The trainers (src/modules/training/trainers/linear-kernel.ts) lay out the memory and finish the sums.
// A fixed order of operations, so the same inputs give the same sums bit for bit.

/** Where the caller may start its data: past this module's own static memory. */
export function heapBase(): usize {
  return __heap_base;
}

/** Σ_j x[j]·w[j] over d values, two at a time. */
function dot(x: usize, w: usize, d: i32): f64 {
  let a = f64x2.splat(0);
  let b = f64x2.splat(0);
  let j = 0;
  for (; j + 3 < d; j += 4) {
    const at = <usize>(j << 3);
    a = f64x2.add(a, f64x2.mul(v128.load(x + at), v128.load(w + at)));
    b = f64x2.add(b, f64x2.mul(v128.load(x + at + 16), v128.load(w + at + 16)));
  }
  for (; j + 1 < d; j += 2) {
    const at = <usize>(j << 3);
    a = f64x2.add(a, f64x2.mul(v128.load(x + at), v128.load(w + at)));
  }
  a = f64x2.add(a, b);
  let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  if (j < d) s += load<f64>(x + ((<usize>j) << 3)) * load<f64>(w + ((<usize>j) << 3));
  return s;
}

/** g[j] += r·x[j] over d values, two at a time. */
function addScaled(g: usize, x: usize, r: f64, d: i32): void {
  const rv = f64x2.splat(r);
  let j = 0;
  for (; j + 1 < d; j += 2) {
    const at = <usize>(j << 3);
    v128.store(g + at, f64x2.add(v128.load(g + at), f64x2.mul(rv, v128.load(x + at))));
  }
  if (j < d) {
    const at = <usize>(j << 3);
    store<f64>(g + at, load<f64>(g + at) + r * load<f64>(x + at));
  }
}

/**
 * Binary cross-entropy summed over n rows x [n × d] with labels y (u32, 0 or 1), θ = [w (d), b] at theta: returns
 * Σ log(1 + e^z) − y·z and writes Σ (σ(z) − y)·[x, 1] into grad [d + 1].
 */
export function binaryLoss(x: usize, y: usize, n: i32, d: i32, theta: usize, grad: usize): f64 {
  memory.fill(grad, 0, (<usize>(d + 1)) << 3);
  const rowBytes = (<usize>d) << 3;
  const b = load<f64>(theta + rowBytes);
  let linear = 0.0;
  let logs = 0.0;
  let product = 1.0;
  let gradBias = 0.0;
  for (let i = 0; i < n; i++) {
    const row = x + <usize>i * rowBytes;
    const z = b + dot(row, theta, d);
    const e = Math.exp(-Math.abs(z));
    const q = 1 + e;
    const yi = <f64>load<u32>(y + ((<usize>i) << 2));
    // log(1 + e^z) − y·z = max(z, 0) + log(1 + e^−|z|) − y·z; the (1 + e^−|z|) are in [1, 2]: their product is
    // logged when it nears overflow, not once per row.
    linear += (z > 0 ? z : 0) - yi * z;
    product *= q;
    if (product > 1e250) {
      logs += Math.log(product);
      product = 1;
    }
    const r = (z >= 0 ? 1 : e) / q - yi;
    gradBias += r;
    addScaled(grad, row, r, d);
  }
  store<f64>(grad + rowBytes, gradBias);
  return linear + logs + Math.log(product);
}

/**
 * Softmax cross-entropy summed over n rows x [n × d] with class indices y (u32), θ = [W (k × d, class-major),
 * b (k)] at theta: returns Σ −log softmax(z)[y] and writes Σ (softmax(z) − onehot(y)) ⊗ [x, 1] into grad, laid out
 * as θ. `z` is scratch for k values.
 */
export function softmaxLoss(x: usize, y: usize, n: i32, d: i32, k: i32, theta: usize, grad: usize, z: usize): f64 {
  memory.fill(grad, 0, (<usize>((d + 1) * k)) << 3);
  const rowBytes = (<usize>d) << 3;
  const biases = theta + ((<usize>(d * k)) << 3);
  const gradBiases = grad + ((<usize>(d * k)) << 3);
  let linear = 0.0;
  let logs = 0.0;
  let product = 1.0;
  for (let i = 0; i < n; i++) {
    const row = x + <usize>i * rowBytes;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const v = load<f64>(biases + ((<usize>c) << 3)) + dot(row, theta + <usize>c * rowBytes, d);
      store<f64>(z + ((<usize>c) << 3), v);
      if (v > max) max = v;
    }
    const label = load<u32>(y + ((<usize>i) << 2));
    // −log softmax(z)[label] = log Σ e^(z − max) + max − z[label]; the sums (each in [1, k]) are multiplied and
    // logged when the product nears overflow.
    linear += max - load<f64>(z + ((<usize>label) << 3));
    let sum = 0.0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(load<f64>(z + ((<usize>c) << 3)) - max);
      store<f64>(z + ((<usize>c) << 3), e);
      sum += e;
    }
    product *= sum;
    if (product > 1e250) {
      logs += Math.log(product);
      product = 1;
    }
    for (let c = 0; c < k; c++) {
      const r = load<f64>(z + ((<usize>c) << 3)) / sum - (<u32>c == label ? 1.0 : 0.0);
      const gb = gradBiases + ((<usize>c) << 3);
      store<f64>(gb, load<f64>(gb) + r);
      addScaled(grad + <usize>c * rowBytes, row, r, d);
    }
  }
  return linear + logs + Math.log(product);
}

/**
 * Adds the lower triangle (q ≤ p) of Σ u uᵀ over n rows u [n × w] into g [w × w]: four rows at a time, so that each
 * entry of g is loaded and stored once per four rows, and two columns per SIMD operation.
 */
export function gram(u: usize, n: i32, w: i32, g: usize): void {
  const rowBytes = (<usize>w) << 3;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const r0 = u + <usize>i * rowBytes;
    const r1 = r0 + rowBytes;
    const r2 = r1 + rowBytes;
    const r3 = r2 + rowBytes;
    for (let p = 0; p < w; p++) {
      const pb = (<usize>p) << 3;
      const a0 = load<f64>(r0 + pb);
      const a1 = load<f64>(r1 + pb);
      const a2 = load<f64>(r2 + pb);
      const a3 = load<f64>(r3 + pb);
      const b0 = f64x2.splat(a0);
      const b1 = f64x2.splat(a1);
      const b2 = f64x2.splat(a2);
      const b3 = f64x2.splat(a3);
      const gp = g + <usize>p * rowBytes;
      let q = 0;
      for (; q < p; q += 2) {
        const qb = (<usize>q) << 3;
        const s01 = f64x2.add(f64x2.mul(b0, v128.load(r0 + qb)), f64x2.mul(b1, v128.load(r1 + qb)));
        const s23 = f64x2.add(f64x2.mul(b2, v128.load(r2 + qb)), f64x2.mul(b3, v128.load(r3 + qb)));
        v128.store(gp + qb, f64x2.add(v128.load(gp + qb), f64x2.add(s01, s23)));
      }
      if (q == p) {
        const at = gp + pb;
        store<f64>(at, load<f64>(at) + (a0 * a0 + a1 * a1 + (a2 * a2 + a3 * a3)));
      }
    }
  }
  for (; i < n; i++) {
    const r0 = u + <usize>i * rowBytes;
    for (let p = 0; p < w; p++) {
      const a0 = load<f64>(r0 + ((<usize>p) << 3));
      const gp = g + <usize>p * rowBytes;
      for (let q = 0; q <= p; q++) {
        const at = gp + ((<usize>q) << 3);
        store<f64>(at, load<f64>(at) + a0 * load<f64>(r0 + ((<usize>q) << 3)));
      }
    }
  }
}
