import { InferenceError } from './inference.errors';
import { Outputs } from './micro-batcher';
import { take } from './output-format';
import { Feed } from './row-encoder';
import type { TensorSpec } from 'src/modules/registry';
import { isNumericType, OIP_TO_TENSOR, oipDatatype, TENSOR_TYPES, writeNumber } from './tensor-types';

export interface OipRequestInput {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown;
  parameters?: Record<string, unknown>;
}

export interface OipInferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: OipRequestInput[];
  outputs?: { name: string; parameters?: Record<string, unknown> }[];
}

export interface OipResponseOutput {
  name: string;
  shape: number[];
  datatype: string;
  data: (number | string | boolean)[];
}

const bad = (detail: string): InferenceError => new InferenceError('INVALID_INPUT', detail);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Checks the request's structure (the protocol's required fields and their types). */
export function parseInferRequest(body: unknown): OipInferRequest {
  if (!isObject(body)) throw bad('The request body must be a JSON object.');
  if (body.id !== undefined && typeof body.id !== 'string') throw bad('"id" must be a string.');
  if (body.parameters !== undefined) checkParameters(body.parameters, 'parameters');
  if (!Array.isArray(body.inputs) || body.inputs.length === 0)
    throw bad('"inputs" must be a non-empty list of tensors.');
  body.inputs.forEach((input: unknown, i: number) => {
    if (!isObject(input)) throw bad(`inputs[${i}] must be an object.`);
    if (typeof input.name !== 'string' || input.name === '') throw bad(`inputs[${i}].name must be a non-empty string.`);
    if (!Array.isArray(input.shape) || !input.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
      throw bad(`inputs[${i}].shape must be a list of non-negative integers.`);
    }
    if (typeof input.datatype !== 'string') throw bad(`inputs[${i}].datatype must be a string.`);
    if (input.data === undefined) throw bad(`inputs[${i}].data is required.`);
    if (input.parameters !== undefined) checkParameters(input.parameters, `inputs[${i}].parameters`);
  });
  if (body.outputs !== undefined) {
    if (!Array.isArray(body.outputs)) throw bad('"outputs" must be a list.');
    body.outputs.forEach((o: unknown, i: number) => {
      if (!isObject(o) || typeof o.name !== 'string') throw bad(`outputs[${i}].name must be a string.`);
      if (o.parameters !== undefined) checkParameters(o.parameters, `outputs[${i}].parameters`);
    });
  }
  return body as unknown as OipInferRequest;
}

function checkParameters(p: unknown, where: string): void {
  if (!isObject(p)) throw bad(`${where} must be an object.`);
  for (const [k, v] of Object.entries(p)) {
    if (!['string', 'number', 'boolean'].includes(typeof v))
      throw bad(`${where}.${k} must be a string, number or boolean.`);
  }
}

/**
 * How many elements nested data holds, nested at most `depth` deep (the shape's rank: deeper data is malformed,
 * and the bound keeps the walk's recursion short). Counted before any typed array is made for the shape.
 */
function countElements(data: unknown, depth: number, name: string): number {
  const walk = (v: unknown, level: number): number => {
    if (!Array.isArray(v)) return 1;
    if (level === depth) throw bad(`The data of ${name} is nested deeper than its shape's ${depth} dimension(s).`);
    let n = 0;
    for (const x of v) n += walk(x, level + 1);
    return n;
  };
  return walk(data, 0);
}

/** Flattens nested data row-major and checks every element, writing straight into a typed array. */
function flatten(data: unknown, into: (v: unknown, i: number) => void): void {
  let n = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else into(v, n++);
  };
  walk(data);
}

/**
 * Turns the protocol's input tensors into feeds for the model's inputs: every model input present once, the
 * datatype equal to the model's, the shape compatible (-1 matches any size), the element count equal to the
 * product of the shape, every element a finite number of the right kind and within its type's range.
 */
export function toFeeds(request: OipInferRequest, inputs: TensorSpec[]): { feeds: Record<string, Feed>; rows: number } {
  const byName = new Map(inputs.map((s) => [s.name, s]));
  const feeds: Record<string, Feed> = {};
  let rows = -1;
  for (const input of request.inputs) {
    const spec = byName.get(input.name);
    if (!spec)
      throw bad(`The model has no input named ${input.name}; it takes ${inputs.map((s) => s.name).join(', ')}.`);
    if (feeds[input.name]) throw bad(`Input ${input.name} is given twice.`);
    if (!isNumericType(spec.type))
      throw new InferenceError('UNSUPPORTED_MODEL', `Input ${spec.name} has type ${spec.type}.`);
    const expected = oipDatatype(spec.type);
    if (input.datatype !== expected)
      throw bad(`Input ${input.name} has datatype ${input.datatype}; the model expects ${expected}.`);
    if (
      input.shape.length !== spec.shape.length ||
      input.shape.some((d, i) => spec.shape[i] !== -1 && spec.shape[i] !== d)
    ) {
      throw bad(
        `Input ${input.name} has shape [${input.shape.join(', ')}]; the model expects [${spec.shape.join(', ')}] (-1 is any size).`,
      );
    }
    const count = input.shape.reduce((a, d) => a * d, 1);
    const seen = countElements(input.data, Math.max(input.shape.length, 1), input.name);
    if (seen !== count)
      throw bad(`Input ${input.name} has ${seen} elements; shape [${input.shape.join(', ')}] needs ${count}.`);
    const type = OIP_TO_TENSOR[input.datatype];
    const info = TENSOR_TYPES[type];
    const data = info.create(count);
    let problem: string | undefined;
    flatten(input.data, (v, i) => {
      if (problem) return;
      if (typeof v !== 'number' || !Number.isFinite(v))
        problem = `element ${i} of ${input.name} is not a finite number`;
      else if (info.integer && !Number.isInteger(v)) problem = `element ${i} of ${input.name} is not an integer`;
      else if ((info.min !== undefined && v < info.min) || (info.max !== undefined && v > info.max))
        problem = `element ${i} of ${input.name} is outside the range of ${input.datatype}`;
      else {
        writeNumber(data, i, v);
        // A finite number can still be past a float type's range (1e39 in FP32 is Infinity).
        if (!info.integer && !Number.isFinite(data[i]))
          problem = `element ${i} of ${input.name} is outside the range of ${input.datatype}`;
      }
    });
    if (problem) throw bad(`${problem.charAt(0).toUpperCase()}${problem.slice(1)}.`);
    const n = input.shape[0] ?? 1;
    if (rows !== -1 && n !== rows) throw bad('All inputs must have the same first (batch) dimension.');
    rows = n;
    feeds[input.name] = { data, dims: input.shape };
  }
  const missing = inputs.filter((s) => !feeds[s.name]).map((s) => s.name);
  if (missing.length) throw bad(`Missing input(s): ${missing.join(', ')}.`);
  return { feeds, rows };
}

export function toResponseOutputs(outputs: Outputs, wanted?: string[]): OipResponseOutput[] {
  const names = wanted ?? Object.keys(outputs);
  return names.map((name) => {
    const t = outputs[name];
    if (!t) throw bad(`The model has no output named ${name}; it has ${Object.keys(outputs).join(', ')}.`);
    const datatype = oipDatatype(t.type);
    const data = take(t.data, 0, t.data.length);
    // ONNX Runtime hands BOOL tensors back as bytes; the protocol's JSON form of a BOOL is true or false.
    return {
      name,
      shape: [...t.dims],
      datatype,
      data: datatype === 'BOOL' ? data.map((v) => v === true || v === 1) : data,
    };
  });
}
