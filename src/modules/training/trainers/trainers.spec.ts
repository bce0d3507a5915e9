import { onnx } from 'onnx-proto';
import { fitStandardiser, splitRows, standardise, standardiserFromSums } from './dataset';
import { lbfgs } from './lbfgs';
import { logisticObjective } from './linear-kernel';
import { linearClassifierOnnx, linearRegressorOnnx, mlpClassifierOnnx } from './onnx-export';
import { mulberry32, permutation } from './prng';
import { choleskySolve, rowSums, solveRidge, solveRidgeFromSums } from './ridge';
import { sklearnStoppingRule } from './train';

/*
 * Reference values: scikit-learn 1.2.1 (Debian python3-sklearn) on the rows below, standardised with
 * StandardScaler-style population std, n = 12, λ = 0.05:
 *   LogisticRegression(C=1/(λ·n), tol=1e-12, max_iter=100000)            (binary, lbfgs)
 *   LogisticRegression(C=1/(λ·n), tol=1e-12, multi_class='multinomial')  (3 classes, lbfgs)
 *   Ridge(alpha=λ·n)
 * sklearn minimises ½‖w‖² + C·Σloss, which is n·C times our mean loss + (λ/2)‖w‖² when C = 1/(λn).
 */
const X = [
  [0.5, 1.2],
  [1.5, -0.3],
  [-0.7, 0.8],
  [2.1, 1.9],
  [-1.3, -0.4],
  [0.2, -1.1],
  [1.1, 0.6],
  [-0.4, 2.2],
  [0.9, -0.8],
  [-1.8, 0.3],
  [1.7, 1.4],
  [-0.1, -1.6],
];
const Y_BINARY = [1, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1];
const Y_CLASSES = [0, 2, 1, 2, 0, 1, 2, 1, 2, 0, 2, 0];
const Y_VALUES = [3.1, 2.4, -0.5, 6.2, -2.9, -0.8, 2.6, 1.9, 0.7, -3.3, 4.8, -1.7];
const LAMBDA = 0.05;

const SKLEARN = {
  binary: { w: [1.2547397390442079, -0.5276094930818719], b: -0.068686496806777 },
  multinomial: {
    /** coef_ [K × d]. */
    coef: [
      [-1.0177432812501515, -0.2689366957692696],
      [-0.5712423928857416, 0.2978596293565161],
      [1.588985674135893, -0.02892293358724669],
    ],
    b: [0.0003401001956611787, 0.021142277114315162, -0.02148237730997621],
  },
  ridge: { w: [2.122551928405367, 1.3032825697352124], b: 1.041666666666667 },
};

/** Standardised X in float64 (no float32 rounding, as sklearn sees it). */
function exactStandardised(): Float64Array {
  const n = X.length;
  const out = new Float64Array(n * 2);
  for (let j = 0; j < 2; j++) {
    const mean = X.reduce((s, r) => s + r[j], 0) / n;
    const std = Math.sqrt(X.reduce((s, r) => s + (r[j] - mean) ** 2, 0) / n);
    X.forEach((r, i) => (out[i * 2 + j] = (r[j] - mean) / std));
  }
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(Math.abs(actual[i] - e)).toBeLessThan(tolerance));
}

describe('trainers (numerics)', () => {
  it('should match scikit-learn binary logistic regression when L-BFGS converges on a small problem', () => {
    const xs = exactStandardised();
    const fit = lbfgs(logisticObjective(xs, Uint32Array.from(Y_BINARY), 2, 2, LAMBDA), new Float64Array(3), {
      maxIterations: 1000,
    });
    expect(fit.converged).toBe(true);
    expectClose(fit.theta, [...SKLEARN.binary.w, SKLEARN.binary.b], 1e-6);
  });

  it('should match scikit-learn multinomial logistic regression when there are three classes', () => {
    const xs = exactStandardised();
    const objective = logisticObjective(xs, Uint32Array.from(Y_CLASSES), 2, 3, LAMBDA);
    const fit = lbfgs(objective, new Float64Array(9), { maxIterations: 1000 });
    expect(fit.converged).toBe(true);
    // sklearn stops its own lbfgs on a scaled gradient norm: it sits ~1e-6 from the optimum here.
    expectClose(fit.theta.slice(0, 6), SKLEARN.multinomial.coef.flat(), 1e-5);
    expectClose(fit.theta.slice(6), SKLEARN.multinomial.b, 1e-5);
  });

  it("should stop sooner at the same loss when scikit-learn's stopping rule is used", () => {
    const xs = exactStandardised();
    const objective = logisticObjective(xs, Uint32Array.from(Y_CLASSES), 2, 3, LAMBDA);
    const tight = lbfgs(objective, new Float64Array(9), { maxIterations: 1000 });
    const rule = lbfgs(objective, new Float64Array(9), {
      maxIterations: 1000,
      ...sklearnStoppingRule(Y_CLASSES.length),
    });
    expect(rule.converged).toBe(true);
    expect(rule.iterations).toBeLessThanOrEqual(tight.iterations);
    // Its relative test stops where an iteration gains ≤ 2.2e-9 of the loss: the loss is that close to the optimum.
    expect((rule.loss - tight.loss) / tight.loss).toBeLessThan(1e-7);
  });

  it('should match scikit-learn Ridge when the system is solved by Cholesky', () => {
    const w = solveRidge(exactStandardised(), Float64Array.from(Y_VALUES), 2, LAMBDA);
    expectClose(w, SKLEARN.ridge.w, 1e-9);
  });

  it('should solve the standardised ridge system when it is built from the raw rows sums with a large offset', () => {
    // 11 of 12 rows (not a multiple of the 4-row blocks), offsets of 1e4 that a naive Σx² − (Σx)²/n would lose.
    const data = {
      x: Float32Array.from(X.flatMap(([a, b]) => [a + 1e4, b * 3 - 250])),
      rows: X.length,
      features: 2,
      y: Float64Array.from(Y_VALUES, (v) => v + 100),
    };
    const rows = Uint32Array.from({ length: 11 }, (_, i) => i + 1);
    const scaler = fitStandardiser(data, rows);
    const xs = standardise(data, rows, scaler);
    const sums = rowSums(data.x, data.y, rows, 2);
    const fromSums = standardiserFromSums(sums.shift, sums.sum, sums.squares, sums.n);
    expect(Array.from(fromSums.mean)).toEqual(Array.from(scaler.mean));
    expect(Array.from(fromSums.std)).toEqual(Array.from(scaler.std));
    const solved = solveRidgeFromSums(sums, scaler.mean, scaler.std, LAMBDA);
    const y = Float64Array.from(rows, (r) => data.y[r]);
    expectClose(solved.weights, Array.from(solveRidge(xs, y, 2, LAMBDA)), 1e-9);
    expectClose(
      solved.columnMeans,
      [0, 1].map((j) => xs.filter((_, i) => i % 2 === j).reduce((a, b) => a + b) / 11),
      1e-9,
    );
    expect(Math.abs(solved.yMean - y.reduce((a, b) => a + b) / 11)).toBeLessThan(1e-12);
  });

  it('should hold out each row once, both lists ascending, when the rows are split', () => {
    const split = splitRows(1000, 0.2, 7);
    expect(split.validation.length).toBe(200);
    const all = [...split.validation, ...split.training].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (const list of [split.validation, split.training]) {
      expect(Array.from(list)).toEqual(Array.from(list).sort((a, b) => a - b));
    }
  });

  it('should solve a known 3x3 system when the matrix is positive definite', () => {
    // A = [[4,2,0],[2,5,1],[0,1,3]], x = [1,-1,2] → b = A·x = [2,-1,5].
    const x = choleskySolve(Float64Array.of(4, 2, 0, 2, 5, 1, 0, 1, 3), Float64Array.of(2, -1, 5), 3);
    expectClose(x, [1, -1, 2], 1e-12);
  });

  it('should refuse a singular ridge system when features are collinear and l2 is 0', () => {
    const xs = Float64Array.of(1, 1, -1, -1, 1, 1, -1, -1);
    expect(() => solveRidge(xs, Float64Array.of(1, 2, 3, 4), 2, 0)).toThrow(/collinear/);
  });

  it('should round mean and std to float32 and turn a zero std into 1 when fitting the standardiser', () => {
    const data = { x: Float32Array.of(1e4 + 0.1, 5, 1e4 + 0.3, 5), rows: 2, features: 2, y: Float64Array.of(0, 1) };
    const s = fitStandardiser(data, Uint32Array.of(0, 1));
    expect(s.mean[0]).toBe(Math.fround(s.mean[0]));
    expect(s.std[0]).toBe(Math.fround(s.std[0]));
    expect(s.std[1]).toBe(1);
    expect(Array.from(standardise(data, Uint32Array.of(0, 1), s).filter((_, i) => i % 2 === 1))).toEqual([0, 0]);
  });

  it('should give the same permutation when the seed is the same', () => {
    expect(Array.from(permutation(50, mulberry32(7)))).toEqual(Array.from(permutation(50, mulberry32(7))));
    expect(Array.from(permutation(50, mulberry32(7)))).not.toEqual(Array.from(permutation(50, mulberry32(8))));
  });
});

/** The decoded model as plain objects (onnx-proto's generated types make every field optional). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test walks the decoded tree freely
function decode(bytes: Uint8Array): Record<string, any> {
  return onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, bytes: Array, defaults: true });
}

const rawFloats = (t: { rawData: number[] }) => Array.from(new Float32Array(Uint8Array.from(t.rawData).buffer));

describe('trainers (ONNX writer)', () => {
  const scaler = { mean: Float64Array.of(0.5, -1), std: Float64Array.of(2, 1) };

  it('should write a model onnx-proto decodes when a classifier is exported', () => {
    const bytes = linearClassifierOnnx(scaler, Float64Array.of(0, 1, 0, -2), Float64Array.of(0, 0.5), [0, 1]);
    const model = decode(bytes);
    expect(model.irVersion).toBe(8);
    expect(model.opsetImport).toEqual([{ domain: '', version: 13 }]);
    expect(model.graph.node.map((n: { opType: string }) => n.opType)).toEqual([
      'Sub',
      'Div',
      'MatMul',
      'Add',
      'Softmax',
      'ArgMax',
    ]);
    expect(model.graph.input.map((i: { name: string }) => i.name)).toEqual(['input']);
    expect(model.graph.output.map((o: { name: string }) => o.name)).toEqual(['label', 'probabilities']);
    const w = model.graph.initializer.find((t: { name: string }) => t.name === 'W');
    expect(w.dims).toEqual([2, 2]);
    expect(rawFloats(w)).toEqual([0, 1, 0, -2]);
  });

  it('should map class indices to label values with Gather when the classes are not 0..K-1', () => {
    const bytes = linearClassifierOnnx(scaler, Float64Array.of(0, 1, 0, -2), Float64Array.of(0, 0.5), [3, 7]);
    const model = decode(bytes);
    expect(model.graph.node.map((n: { opType: string }) => n.opType).slice(-1)).toEqual(['Gather']);
    const classes = model.graph.initializer.find((t: { name: string }) => t.name === 'classes');
    expect(Array.from(new BigInt64Array(Uint8Array.from(classes.rawData).buffer))).toEqual([3n, 7n]);
  });

  it('should write Gemm, Relu, Gemm when an MLP is exported', () => {
    const w = { w1: new Float64Array(6), b1: new Float64Array(3), w2: new Float64Array(6), b2: new Float64Array(2) };
    const model = decode(mlpClassifierOnnx(scaler, w, [0, 1]));
    expect(model.graph.node.map((n: { opType: string }) => n.opType)).toEqual([
      'Sub',
      'Div',
      'Gemm',
      'Relu',
      'Gemm',
      'Softmax',
      'ArgMax',
    ]);
  });

  it('should write one value output when a regressor is exported', () => {
    const model = decode(linearRegressorOnnx(scaler, Float64Array.of(1, 2), 3));
    expect(model.graph.output.map((o: { name: string }) => o.name)).toEqual(['value']);
    const dims = model.graph.output[0].type.tensorType.shape.dim;
    expect(dims.map((d: { dimParam: string; dimValue: number }) => d.dimParam || d.dimValue)).toEqual(['N', 1]);
  });
});
