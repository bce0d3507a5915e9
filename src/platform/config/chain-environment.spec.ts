import { attesterKey, DEV_CHAIN_KEYS } from './chain.config';
import { validateEnvironment } from './environment';

const OWN_KEY = `0x${'5a'.repeat(32)}`;

describe('chain configuration', () => {
  it('should run its own chain with the first development key when nothing is set', () => {
    const c = validateEnvironment({});
    expect(c).toMatchObject({
      CHAIN_ENABLED: true,
      CHAIN_ID: 31337,
      EMBEDDED_CHAIN_DIR: '.data/anvil',
      EMBEDDED_CHAIN_PORT: 0,
    });
    expect(c.ETH_RPC_URL).toBeUndefined();
    expect(c.MINTER_PRIVATE_KEY).toBeUndefined();
  });

  it('should require MINTER_PRIVATE_KEY when ETH_RPC_URL is set', () => {
    expect(() => validateEnvironment({ ETH_RPC_URL: 'http://node:8545' })).toThrow(/MINTER_PRIVATE_KEY is required/);
    expect(validateEnvironment({ ETH_RPC_URL: 'http://node:8545', MINTER_PRIVATE_KEY: OWN_KEY }).ETH_RPC_URL).toBe(
      'http://node:8545',
    );
  });

  it('should refuse a well-known development key when the chain id is not 31337', () => {
    const env = { ETH_RPC_URL: 'https://rpc.example', CHAIN_ID: '8453', MINTER_PRIVATE_KEY: DEV_CHAIN_KEYS[3] };
    expect(() => validateEnvironment(env)).toThrow(/well-known development key, refused on chain id 8453/);
    expect(() =>
      validateEnvironment({ ...env, MINTER_PRIVATE_KEY: DEV_CHAIN_KEYS[3].toUpperCase().replace('0X', '0x') }),
    ).toThrow(/well-known development key/);
    expect(validateEnvironment({ ...env, CHAIN_ID: '31337' }).MINTER_PRIVATE_KEY).toBe(DEV_CHAIN_KEYS[3]);
  });

  it('should hide the key when MINTER_PRIVATE_KEY is malformed', () => {
    expect(() => validateEnvironment({ MINTER_PRIVATE_KEY: '0x1234' })).toThrow(
      /MINTER_PRIVATE_KEY .*\(got <hidden>\)/,
    );
  });

  it('should skip the chain checks when the chain client is disabled', () => {
    expect(validateEnvironment({ CHAIN_ENABLED: 'false', ETH_RPC_URL: 'http://node:8545' }).CHAIN_ENABLED).toBe(false);
  });

  it('should refuse a development attester key when the chain id is not 31337', () => {
    const env = { ETH_RPC_URL: 'https://rpc.example', CHAIN_ID: '8453', MINTER_PRIVATE_KEY: OWN_KEY };
    expect(() => validateEnvironment({ ...env, ATTESTER_PRIVATE_KEY: DEV_CHAIN_KEYS[0] })).toThrow(
      /ATTESTER_PRIVATE_KEY is a well-known development key/,
    );
  });

  it('should attest with its own key, else the minter key, else the first dev key on 31337 when choosing the attester', () => {
    const other = `0x${'6b'.repeat(32)}`;
    expect(attesterKey(validateEnvironment({ ATTESTER_PRIVATE_KEY: other, MINTER_PRIVATE_KEY: OWN_KEY }))).toBe(other);
    expect(attesterKey(validateEnvironment({ MINTER_PRIVATE_KEY: OWN_KEY }))).toBe(OWN_KEY);
    expect(attesterKey(validateEnvironment({}))).toBe(DEV_CHAIN_KEYS[0]);
    expect(attesterKey(validateEnvironment({ CHAIN_ENABLED: 'false', CHAIN_ID: '8453' }))).toBeUndefined();
  });
});
