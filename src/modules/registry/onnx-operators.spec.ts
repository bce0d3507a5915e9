import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../../test/support/temp-dir';
import { onnxOperators } from './onnx-operators';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fixtures = require('../../../test/fixtures/onnx-models.js') as {
  writeAll(dir: string): string[];
  logistic(): Buffer;
};

describe(onnxOperators.name, () => {
  const tmp = makeTempDir('onnx-ops-');
  afterAll(() => tmp.remove());

  it('should list the graph operators and skip the weights when the model is read', async () => {
    const [logistic, mlp, , , broken] = fixtures.writeAll(tmp.path);
    expect(await onnxOperators(logistic)).toEqual(['Add', 'ArgMax', 'MatMul', 'Softmax']);
    expect(await onnxOperators(mlp)).toEqual(['Add', 'ArgMax', 'MatMul', 'Relu', 'Softmax']);
    expect(await onnxOperators(broken)).toEqual(['ReduceSum', 'Reshape']);
  });

  it('should fail when the file is not a protobuf message', async () => {
    const path = join(tmp.path, 'junk.onnx');
    writeFileSync(path, Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01]));
    await expect(onnxOperators(path)).rejects.toThrow(/protobuf/);
  });
});
