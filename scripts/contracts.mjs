// Compiles contracts/*.sol with solc (wasm) and OpenZeppelin into src/platform/chain/artifacts.json (ABI and
// bytecode, committed). The server and the tests only read that file, never solc. `--check` recompiles and
// fails when the committed file differs from what the sources compile to.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeOrCheck } from './artifact.mjs';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const solc = require('solc');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const contractsDir = join(root, 'contracts');
const outFile = join(root, 'src', 'platform', 'chain', 'artifacts.json');
const CONTRACTS = ['RewardToken', 'RewardMinter'];
const EVM_VERSION = 'cancun';

function findImport(path) {
  try {
    const local = join(contractsDir, path);
    if (!path.startsWith('@')) return { contents: readFileSync(local, 'utf8') };
    return { contents: readFileSync(require.resolve(path), 'utf8') };
  } catch (err) {
    return { error: `${path}: ${err.message}` };
  }
}

function compile() {
  const sources = {};
  for (const f of readdirSync(contractsDir)
    .filter((n) => n.endsWith('.sol'))
    .sort()) {
    sources[f] = { content: readFileSync(join(contractsDir, f), 'utf8') };
  }
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const artifacts = { compiler: `solc ${solc.version()}`, evmVersion: EVM_VERSION, contracts: {} };
  for (const name of CONTRACTS) {
    const c = output.contracts[`${name}.sol`]?.[name];
    if (!c) throw new Error(`contracts/${name}.sol does not define contract ${name}`);
    artifacts.contracts[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
  }
  return `${JSON.stringify(artifacts, null, 2)}\n`;
}

writeOrCheck(outFile, compile(), 'contracts:build');
