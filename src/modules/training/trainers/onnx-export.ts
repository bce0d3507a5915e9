import { ProtoWriter } from './protobuf-writer';

/** ONNX field numbers and enums (onnx/onnx.proto); IR 8 with opset 13 loads in onnxruntime-node 1.30 (3-13 / 7-26). */
const IR_VERSION = 8;
const OPSET = 13;
const FLOAT = 1;
const INT64 = 7;
const ATTR_INT = 2;

export const INPUT_NAME = 'input';
export const LABEL_OUTPUT = 'label';
export const PROBABILITIES_OUTPUT = 'probabilities';
export const VALUE_OUTPUT = 'value';

interface Tensor {
  name: string;
  dims: number[];
  type: typeof FLOAT | typeof INT64;
  /** Values as float32 (FLOAT) or integers (INT64). */
  values: ArrayLike<number>;
}

interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  intAttrs?: Record<string, number>;
}

interface ValueInfo {
  name: string;
  type: typeof FLOAT | typeof INT64;
  /** A string is a symbolic dimension (the batch). */
  dims: Array<number | string>;
}

function rawData(t: Tensor): Uint8Array {
  const width = t.type === FLOAT ? 4 : 8;
  const out = new Uint8Array(t.values.length * width);
  const view = new DataView(out.buffer);
  for (let i = 0; i < t.values.length; i++) {
    if (t.type === FLOAT) view.setFloat32(i * 4, t.values[i], true);
    else view.setBigInt64(i * 8, BigInt(t.values[i]), true);
  }
  return out;
}

function writeTensor(w: ProtoWriter, t: Tensor): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.type).string(8, t.name).bytes(9, rawData(t));
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name).message(2, (type) =>
    type.message(1, (tensor) =>
      tensor.int(1, v.type).message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === 'string' ? dim.string(2, d) : dim.int(1, d)));
      }),
    ),
  );
}

function writeNode(w: ProtoWriter, n: Node, index: number): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, `${n.op.toLowerCase()}_${index}`).string(4, n.op);
  for (const [name, value] of Object.entries(n.intAttrs ?? {})) {
    w.message(5, (a) => a.string(1, name).int(3, value).int(20, ATTR_INT));
  }
}

function writeModel(graphName: string, nodes: Node[], init: Tensor[], inputs: ValueInfo[], outputs: ValueInfo[]) {
  return new ProtoWriter()
    .int(1, IR_VERSION)
    .string(2, 'deltaone-trainers')
    .string(3, '1')
    .message(7, (g) => {
      nodes.forEach((n, i) => g.message(1, (w) => writeNode(w, n, i)));
      g.string(2, graphName);
      for (const t of init) g.message(5, (w) => writeTensor(w, t));
      for (const v of inputs) g.message(11, (w) => writeValueInfo(w, v));
      for (const v of outputs) g.message(12, (w) => writeValueInfo(w, v));
    })
    .message(8, (o) => o.string(1, '').int(2, OPSET))
    .finish();
}

export interface Standardiser {
  /** float32-exact values (Math.fround), as the graph stores them. */
  mean: Float64Array;
  std: Float64Array;
}

const scaleNodes = (): Node[] => [
  { op: 'Sub', inputs: [INPUT_NAME, 'mean'], outputs: ['centered'] },
  { op: 'Div', inputs: ['centered', 'std'], outputs: ['scaled'] },
];

const scaleInit = (s: Standardiser): Tensor[] => [
  { name: 'mean', dims: [s.mean.length], type: FLOAT, values: s.mean },
  { name: 'std', dims: [s.std.length], type: FLOAT, values: s.std },
];

/** A linear classifier: Sub → Div → MatMul → Add = logits, then the classifier head (see classifierModel). */
export function linearClassifierOnnx(
  s: Standardiser,
  weights: Float64Array,
  bias: Float64Array,
  classes: number[],
): Uint8Array {
  const d = s.mean.length;
  const k = bias.length;
  return classifierModel(
    'linear_classifier',
    s,
    [
      { op: 'MatMul', inputs: ['scaled', 'W'], outputs: ['z'] },
      { op: 'Add', inputs: ['z', 'B'], outputs: ['logits'] },
    ],
    [
      { name: 'W', dims: [d, k], type: FLOAT, values: weights },
      { name: 'B', dims: [k], type: FLOAT, values: bias },
    ],
    classes,
  );
}

/** One hidden layer: Sub → Div → Gemm → Relu → Gemm = logits, then the classifier head of linearClassifierOnnx. */
export function mlpClassifierOnnx(
  s: Standardiser,
  w: { w1: Float64Array; b1: Float64Array; w2: Float64Array; b2: Float64Array },
  classes: number[],
): Uint8Array {
  const d = s.mean.length;
  const h = w.b1.length;
  const k = w.b2.length;
  return classifierModel(
    'mlp_classifier',
    s,
    [
      { op: 'Gemm', inputs: ['scaled', 'W1', 'B1'], outputs: ['hidden_in'] },
      { op: 'Relu', inputs: ['hidden_in'], outputs: ['hidden'] },
      { op: 'Gemm', inputs: ['hidden', 'W2', 'B2'], outputs: ['logits'] },
    ],
    [
      { name: 'W1', dims: [d, h], type: FLOAT, values: w.w1 },
      { name: 'B1', dims: [h], type: FLOAT, values: w.b1 },
      { name: 'W2', dims: [h, k], type: FLOAT, values: w.w2 },
      { name: 'B2', dims: [k], type: FLOAT, values: w.b2 },
    ],
    classes,
  );
}

/**
 * Scaling, `body` (from `scaled` to `logits`), then Softmax → probabilities [N, K] and ArgMax → label int64 [N] (on
 * the logits: its first-max tie-break is the trainer's strict `>`). `classes` maps the class index to the label
 * value; when it is not 0..K-1 a Gather turns the index into the value.
 */
function classifierModel(
  name: string,
  s: Standardiser,
  body: Node[],
  weights: Tensor[],
  classes: number[],
): Uint8Array {
  const d = s.mean.length;
  const k = classes.length;
  const identity = classes.every((c, i) => c === i);
  const nodes: Node[] = [
    ...scaleNodes(),
    ...body,
    { op: 'Softmax', inputs: ['logits'], outputs: [PROBABILITIES_OUTPUT], intAttrs: { axis: 1 } },
    {
      op: 'ArgMax',
      inputs: ['logits'],
      outputs: [identity ? LABEL_OUTPUT : 'class_index'],
      intAttrs: { axis: 1, keepdims: 0 },
    },
  ];
  const init: Tensor[] = [...scaleInit(s), ...weights];
  if (!identity) {
    nodes.push({ op: 'Gather', inputs: ['classes', 'class_index'], outputs: [LABEL_OUTPUT], intAttrs: { axis: 0 } });
    init.push({ name: 'classes', dims: [k], type: INT64, values: classes });
  }
  return writeModel(
    name,
    nodes,
    init,
    [{ name: INPUT_NAME, type: FLOAT, dims: ['N', d] }],
    [
      { name: LABEL_OUTPUT, type: INT64, dims: ['N'] },
      { name: PROBABILITIES_OUTPUT, type: FLOAT, dims: ['N', k] },
    ],
  );
}

/** A ridge regressor: Sub → Div → MatMul → Add = value [N, 1]. */
export function linearRegressorOnnx(s: Standardiser, weights: Float64Array, intercept: number): Uint8Array {
  const d = s.mean.length;
  return writeModel(
    'linear_regressor',
    [
      ...scaleNodes(),
      { op: 'MatMul', inputs: ['scaled', 'W'], outputs: ['z'] },
      { op: 'Add', inputs: ['z', 'B'], outputs: [VALUE_OUTPUT] },
    ],
    [
      ...scaleInit(s),
      { name: 'W', dims: [d, 1], type: FLOAT, values: weights },
      { name: 'B', dims: [1], type: FLOAT, values: [intercept] },
    ],
    [{ name: INPUT_NAME, type: FLOAT, dims: ['N', d] }],
    [{ name: VALUE_OUTPUT, type: FLOAT, dims: ['N', 1] }],
  );
}
