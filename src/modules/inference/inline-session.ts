import { InferenceSession, Tensor } from 'onnxruntime-node';
import { Outputs } from './micro-batcher';
import { Feed } from './row-encoder';

/**
 * Operators whose run time is set by the shapes of their inputs: no loops or branches, and no output whose size
 * comes from input values (Range, ConstantOfShape, Expand, Tile, Resize, NonZero, TopK, ... are left out). A run
 * of a model made only of these is bounded by its size and its rows, so it can safely be made on the main
 * thread, where no timeout can interrupt it.
 */
const SHAPE_BOUNDED = new Set([
  ...['Abs', 'Add', 'And', 'ArgMax', 'ArgMin', 'BatchNormalization', 'Cast', 'Ceil', 'Clip', 'Concat', 'Div'],
  ...['Dropout', 'Elu', 'Equal', 'Erf', 'Exp', 'Flatten', 'Floor', 'Gather', 'Gemm', 'Greater', 'HardSigmoid'],
  ...['Identity', 'InstanceNormalization', 'LayerNormalization', 'LeakyRelu', 'Less', 'Log', 'LogSoftmax'],
  ...['MatMul', 'Max', 'Mean', 'Min', 'Mul', 'Neg', 'Not', 'Or', 'Pow', 'PRelu', 'Reciprocal', 'ReduceL2'],
  ...['ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSum', 'Relu', 'Reshape'],
  ...['Selu', 'Shape', 'Sigmoid', 'Sign', 'Softmax', 'Softplus', 'Softsign', 'Sqrt', 'Squeeze', 'Sub', 'Sum'],
  ...['Tanh', 'Transpose', 'Unsqueeze', 'Where', 'Xor'],
  ...['ai.onnx.ml:Binarizer', 'ai.onnx.ml:LinearClassifier', 'ai.onnx.ml:LinearRegressor'],
  ...['ai.onnx.ml:Normalizer', 'ai.onnx.ml:Scaler', 'ai.onnx.ml:TreeEnsembleClassifier'],
  ...['ai.onnx.ml:TreeEnsembleRegressor'],
]);

/** True when the operators are known and every one is in the shape-bounded list. */
export function shapeBounded(operators: readonly string[] | null | undefined): boolean {
  return !!operators && operators.length > 0 && operators.every((op) => SHAPE_BOUNDED.has(op));
}

/** A session on the main thread, for runs too small to be worth the hand-off to a worker thread. */
export class InlineSession {
  private constructor(private readonly session: InferenceSession) {}

  static async open(path: string): Promise<InlineSession> {
    const session = await InferenceSession.create(path, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      logSeverityLevel: 4,
    });
    return new InlineSession(session);
  }

  /**
   * Runs the feeds; `ms` is the run's own time. onnxruntime-node makes the native call in a setImmediate, so the
   * wall time of `session.run` also counts every request the event loop handles before it: the clock starts in an
   * immediate queued just before onnxruntime's.
   */
  async run(feeds: Record<string, Feed & { type: string }>): Promise<{ outputs: Outputs; ms: number }> {
    const tensors: Record<string, Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) {
      tensors[name] = new Tensor(f.type as 'float32', f.data as Float32Array, f.dims);
    }
    let started = performance.now();
    setImmediate(() => (started = performance.now()));
    const outputs = await this.session.run(tensors);
    return { outputs, ms: performance.now() - started };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
