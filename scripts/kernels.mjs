// Compiles kernels/linear.ts (AssemblyScript) to WebAssembly with SIMD into src/modules/training/trainers/
// linear-kernel.wasm.json (the module as base64, committed). The server and the tests only read that file, never the
// compiler. `--check` recompiles and fails when the committed file differs from what the source compiles to.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeOrCheck } from './artifact.mjs';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'kernels', 'linear.ts');
const outFile = join(root, 'src', 'modules', 'training', 'trainers', 'linear-kernel.wasm.json');

async function compile() {
  let wasm;
  const stderr = [];
  const { error } = await asc.main(
    [source, '--outFile', 'linear.wasm', '-O3', '--runtime', 'stub', '--enable', 'simd', '--noAssert'],
    {
      readFile: (name, base) => {
        try {
          return readFileSync(join(base, name), 'utf8');
        } catch {
          return null;
        }
      },
      writeFile: (name, contents) => {
        if (name.endsWith('.wasm')) wasm = Buffer.from(contents);
      },
      listFiles: () => [],
      stdout: { write: () => true },
      stderr: { write: (s) => stderr.push(String(s)) },
    },
  );
  if (error || !wasm) throw new Error(`asc failed: ${error?.message ?? ''}\n${stderr.join('')}`);
  const { version } = JSON.parse(readFileSync(join(root, 'node_modules', 'assemblyscript', 'package.json'), 'utf8'));
  return `${JSON.stringify({ compiler: `assemblyscript ${version}`, wasm: wasm.toString('base64') }, null, 2)}\n`;
}

writeOrCheck(outFile, await compile(), 'kernels:build');
