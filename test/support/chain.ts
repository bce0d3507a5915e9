import { DEV_CHAIN_KEYS } from 'src/platform/config';
import { describeWhenInstalled } from './installed';

/**
 * The anvil that jest global setup started (its JSON-RPC URL), or undefined when the binary is not installed
 * (global setup then says so; with CI=true it fails instead).
 */
export const TEST_ETH_RPC_URL = process.env.ETH_RPC_URL;

/** `describe` when the test anvil runs (see describeWhenInstalled). */
export function describeWithChain(name: string, fn: () => void): void {
  describeWhenInstalled(
    !!TEST_ETH_RPC_URL,
    'the anvil binary',
    'npm install installs @foundry-rs/anvil-linux-amd64',
    name,
    fn,
  );
}

/**
 * A development key per jest worker: workers share one anvil, and two processes sending from one account
 * would race for its nonces. Key 0 stays free for the embedded chains that tests start themselves.
 */
export function workerKey(): string {
  const worker = Number(process.env.JEST_WORKER_ID ?? 1);
  return DEV_CHAIN_KEYS[1 + ((worker - 1) % (DEV_CHAIN_KEYS.length - 2))];
}

/** A key no contract grants a role to (for "an outsider is refused"); it only ever makes calls, never sends. */
export const OUTSIDER_KEY = DEV_CHAIN_KEYS[DEV_CHAIN_KEYS.length - 1];

/** The environment of an app on the test chain. */
export function chainEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    CHAIN_ENABLED: 'true',
    ETH_RPC_URL: TEST_ETH_RPC_URL!,
    CHAIN_ID: '31337',
    MINTER_PRIVATE_KEY: workerKey(),
    ...extra,
  };
}
