import { InferenceError } from './inference.errors';
import { parseInferRequest, toFeeds, toResponseOutputs } from './oip-codec';

const inputs = [{ name: 'input', type: 'float32', shape: [-1, 2] }];

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as InferenceError).detail;
  }
  throw new Error('expected an error');
}

describe('Open Inference Protocol codec', () => {
  it('should give the same feed when data is nested or flat', () => {
    const nested = toFeeds(
      parseInferRequest({
        inputs: [
          {
            name: 'input',
            shape: [2, 2],
            datatype: 'FP32',
            data: [
              [1, 2],
              [3, 4],
            ],
          },
        ],
      }),
      inputs,
    );
    const flat = toFeeds(
      parseInferRequest({ inputs: [{ name: 'input', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4] }] }),
      inputs,
    );
    expect(Array.from(nested.feeds.input.data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(Array.from(flat.feeds.input.data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(flat.rows).toBe(2);
  });

  it('should refuse a wrong datatype, a wrong shape, a wrong element count and a missing input', () => {
    const req = (input: object) =>
      parseInferRequest({ inputs: [{ name: 'input', shape: [1, 2], datatype: 'FP32', data: [1, 2], ...input }] });
    expect(codeOf(() => toFeeds(req({ datatype: 'INT64' }), inputs))).toMatch(/datatype INT64; the model expects FP32/);
    expect(codeOf(() => toFeeds(req({ shape: [1, 3], data: [1, 2, 3] }), inputs))).toMatch(/shape \[1, 3\]/);
    expect(codeOf(() => toFeeds(req({ data: [1, 2, 3] }), inputs))).toMatch(/has 3 elements; shape \[1, 2\] needs 2/);
    expect(codeOf(() => toFeeds(req({ name: 'other' }), inputs))).toMatch(/no input named other/);
    expect(codeOf(() => toFeeds(req({ data: [1, 'x'] }), inputs))).toMatch(/Element 1 of input is not a finite number/);
  });

  it('should refuse an integer outside its datatype when the input is an integer tensor', () => {
    const ints = [{ name: 'input', type: 'int32', shape: [-1, 2] }];
    const req = (data: number[]) =>
      parseInferRequest({ inputs: [{ name: 'input', shape: [1, 2], datatype: 'INT32', data }] });
    expect(codeOf(() => toFeeds(req([1, 2 ** 40]), ints))).toMatch(/Element 1 of input is outside the range of INT32/);
    expect(codeOf(() => toFeeds(req([-(2 ** 31) - 1, 0]), ints))).toMatch(/outside the range of INT32/);
    expect(Array.from(toFeeds(req([-(2 ** 31), 2 ** 31 - 1]), ints).feeds.input.data as Int32Array)).toEqual([
      -(2 ** 31),
      2 ** 31 - 1,
    ]);
  });

  it('should refuse a finite number past float32 range when the input is FP32', () => {
    const req = (data: number[]) =>
      parseInferRequest({ inputs: [{ name: 'input', shape: [1, 2], datatype: 'FP32', data }] });
    expect(codeOf(() => toFeeds(req([1, -1e39]), inputs))).toMatch(/Element 1 of input is outside the range of FP32/);
    expect(Array.from(toFeeds(req([3.4e38, 1e-46]), inputs).feeds.input.data as Float32Array)).toEqual([
      Math.fround(3.4e38),
      0,
    ]);
  });

  it('should refuse data that cannot fill the shape before making the tensor when the shape is huge', () => {
    const req = (shape: number[], data: unknown) =>
      parseInferRequest({ inputs: [{ name: 'input', shape, datatype: 'FP32', data }] });
    expect(codeOf(() => toFeeds(req([1e9, 2], [1, 2]), inputs))).toMatch(/has 2 elements; shape \[1000000000, 2\]/);
    let deep: unknown = 1;
    for (let i = 0; i < 20000; i++) deep = [deep];
    expect(codeOf(() => toFeeds(req([1, 2], deep), inputs))).toMatch(/nested deeper than its shape's 2 dimension/);
  });

  it('should refuse a request without its required fields', () => {
    expect(codeOf(() => parseInferRequest({}))).toMatch(/"inputs" must be a non-empty list/);
    expect(codeOf(() => parseInferRequest({ inputs: [{ name: 'x', shape: [1], data: [1] }] }))).toMatch(
      /datatype must be a string/,
    );
    expect(codeOf(() => parseInferRequest({ id: 42, inputs: [] }))).toMatch(/"id" must be a string/);
    expect(
      codeOf(() =>
        parseInferRequest({ inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }], parameters: { a: [1] } }),
      ),
    ).toMatch(/parameters.a must be a string, number or boolean/);
  });

  it('should return only the requested outputs when outputs are named', () => {
    const outputs = {
      label: { type: 'int64', dims: [2], data: BigInt64Array.from([1n, 0n]) },
      probabilities: { type: 'float32', dims: [2, 2], data: Float32Array.from([0.25, 0.75, 0.5, 0.5]) },
    };
    expect(toResponseOutputs(outputs, ['label'])).toEqual([
      { name: 'label', shape: [2], datatype: 'INT64', data: [1, 0] },
    ]);
    expect(toResponseOutputs(outputs).map((o) => o.name)).toEqual(['label', 'probabilities']);
  });

  it('should give BOOL outputs as JSON booleans when the runtime hands back bytes', () => {
    const outputs = { flag: { type: 'bool', dims: [1, 2], data: Uint8Array.from([0, 1]) } };
    expect(toResponseOutputs(outputs)).toEqual([
      { name: 'flag', shape: [1, 2], datatype: 'BOOL', data: [false, true] },
    ]);
  });
});
