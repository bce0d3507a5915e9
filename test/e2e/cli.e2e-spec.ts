import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { createDeltaOneClient, ProblemError } from 'src/client';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { features16, LOGREG, MLP } from '../factories/model.factory';
import { fakeTerminal, runCli, spawnCli } from '../support/cli';
import { makeTempDir } from '../support/temp-dir';
import { createTestApp, TestApp } from '../support/test-app';

let seed = 0;
const features = () => Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, Math.sin(++seed * 7 + i)]));
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(seed++).toString(36)}`;

describe('deltaone CLI and client', () => {
  let t: TestApp;
  let base: string;
  let owner: CreatedKey;
  let contributor: CreatedKey;
  let dir: { path: string; remove: () => void };
  const as = (key: CreatedKey, extra: Record<string, string> = {}) => ({
    DELTAONE_URL: base,
    DELTAONE_API_KEY: key.key,
    ...extra,
  });

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    dir = makeTempDir('cli-');
    owner = await createApiKey(t, { scopes: ['models:read', 'models:write', 'predict', 'contributions:read'] });
    contributor = await createApiKey(t, { scopes: ['models:read', 'contributions:write', 'contributions:read'] });
  });

  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  /** A model registered, a version uploaded and promoted, all through the CLI; returns its name. */
  const modelThroughCli = async (file: string, extra: string[] = []): Promise<string> => {
    const name = unique('cli');
    const env = as(owner);
    const created = await runCli(
      ['models', 'create', name, '--token-id', name.toUpperCase(), '--metric', 'accuracy', ...extra, '--json'],
      env,
    );
    expect(created).toMatchObject({ code: 0, err: '' });
    const fs = features16()
      .map((f) => `${f.name}:${f.type}`)
      .join(',');
    const terminal = fakeTerminal();
    const uploaded = await runCli(['versions', 'upload', name, file, '--features', fs], env, terminal);
    expect(uploaded.err).toBe('');
    expect(uploaded.out).toMatch(new RegExp(`^uploaded ${name} v1 \\(\\d+ bytes, sha256 [0-9a-f]{64}\\)`));
    expect(terminal.text()).toContain(`uploading ${file}`);
    expect(terminal.text()).toContain('100%');
    const version = await runCli(['versions', 'get', name, '1', '--json'], env);
    expect(version.json()).toMatchObject({ modelName: name, version: 1, status: 'READY' });
    expect((await runCli(['promote', name, '1'], env)).out).toContain('-> v1');
    return name;
  };

  it('should list every command group and exit 0 when asked for help', async () => {
    const run = await runCli(['--help'], {});
    expect(run.code).toBe(0);
    for (const group of [
      'api-keys',
      'models',
      'versions',
      'aliases',
      'predict',
      'contributions',
      'datasets',
      'training-runs',
      'evaluations',
      'deltaone',
      'rewards',
      'experiments',
      'webhooks',
      'jobs',
    ]) {
      expect(run.out).toContain(group);
    }
    expect(run.out).toContain('DELTAONE_URL');
  });

  it('should predict with the uploaded version when a model is registered, uploaded and promoted through the CLI', async () => {
    const name = await modelThroughCli(LOGREG);
    const row = features();
    const run = await runCli(['predict', name, '--input', JSON.stringify([row, features()]), '--json'], as(owner));
    expect(run).toMatchObject({ code: 0, err: '' });
    const result = run.json<{ model: string; version: number; predictions: Array<{ probabilities: number[] }> }>();
    expect(result).toMatchObject({ model: name, version: 1 });
    expect(result.predictions).toHaveLength(2);
    expect(result.predictions[0].probabilities).toHaveLength(2);

    const human = await runCli(['versions', 'list', name], as(owner));
    expect(human.out).toMatch(/^version\s+status/);
    expect(human.out).toContain('READY');
  });

  it('should submit a contribution the server verifies when it is signed with a wallet key', async () => {
    const name = await modelThroughCli(MLP, ['--label-column', 'label', '--label-kind', 'classes']);
    const settings = await runCli(
      ['contributions', 'settings', name, '--require-signature', 'true', '--json'],
      as(owner),
    );
    expect(settings.json()).toMatchObject({ requireSignature: true });
    const file = join(dir.path, 'rows.json');
    const rows = Array.from({ length: 20 }, (_, i) => ({ ...features(), label: i % 2 === 0 ? 'yes' : 'no' }));
    writeFileSync(file, JSON.stringify(rows));
    const wallet = Wallet.createRandom();

    const run = await runCli(
      ['contributions', 'submit', name, '--file', file, '--json'],
      as(contributor, { DELTAONE_WALLET_KEY: wallet.privateKey }),
    );
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.json()).toMatchObject({
      modelName: name,
      walletAddress: wallet.address,
      status: 'accepted',
      signatureVerified: true,
      counts: { received: 20, accepted: 20 },
    });

    const unsigned = await runCli(['contributions', 'submit', name, '--file', file, '--wallet', wallet.address], {
      ...as(contributor),
    });
    expect(unsigned.code).toBe(1);
    expect(unsigned.err).toContain('error SIGNATURE_REQUIRED (400)');
  });

  it('should print the problem code, detail and field errors with no stack and exit 1 when the server refuses', async () => {
    const missing = await runCli(['models', 'get', 'no-such-model'], as(owner));
    expect(missing).toMatchObject({ code: 1, out: '' });
    expect(missing.err).toMatch(/^error MODEL_NOT_FOUND \(404\): /);

    const invalid = await runCli(
      ['models', 'create', 'Not A Slug', '--token-id', 'X', '--metric', 'accuracy'],
      as(owner),
    );
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/^error VALIDATION_FAILED \(400\): /);
    expect(invalid.err).toMatch(/\n {2}name: /);

    const upload = await runCli(['versions', 'upload', 'no-such-model', LOGREG], as(owner));
    expect(upload.err).toMatch(/^error MODEL_NOT_FOUND \(404\): /);

    const noKey = await runCli(['models', 'list'], { DELTAONE_URL: base });
    expect(noKey.err).toMatch(/^error API_KEY_MISSING \(401\): /);
    for (const run of [missing, invalid, upload, noKey]) expect(run.err).not.toMatch(/\n\s+at /);
  });

  it('should exit 1 and print the problem code without a stack when the spawned binary meets an error', async () => {
    const help = await spawnCli(['--help'], {});
    expect(help).toMatchObject({ code: 0, err: '' });
    expect(help.out).toContain('Usage: deltaone');
    const run = await spawnCli(['models', 'get', 'no-such-model'], { DELTAONE_URL: base, DELTAONE_API_KEY: owner.key });
    expect(run).toMatchObject({ code: 1, out: '' });
    expect(run.err).toMatch(/^error MODEL_NOT_FOUND \(404\): /);
    expect(run.err).not.toMatch(/\n\s+at /);
  });

  it('should print the event catalogue and the endpoints when webhooks are listed through the CLI', async () => {
    const env = { DELTAONE_URL: base, DELTAONE_API_KEY: t.adminKey };
    const types = await runCli(['webhooks', 'event-types', '--json'], env);
    expect(types.code).toBe(0);
    expect(types.json<{ items: Array<{ type: string }> }>().items.map((i) => i.type)).toContain('model.promoted');
    const human = await runCli(['webhooks', 'list'], env);
    expect(human).toMatchObject({ code: 0, err: '' });
    expect(human.out).toMatch(/^(id\s+url|\(none\))/);
  });

  it('should exit non-zero with a usage message and no request when a required option is missing', async () => {
    const run = await runCli(['models', 'create', 'x'], as(owner));
    expect(run.code).not.toBe(0);
    expect(run.err).toContain("required option '--token-id <id>' not specified");
  });

  it('should throw a ProblemError with status, code, detail and field errors when the server answers problem+json', async () => {
    const client = createDeltaOneClient({ baseUrl: base, apiKey: owner.key });
    const call = client.POST('/api/v1/models', {
      body: { name: 'Bad Name', tokenId: 'T', benchmarkMetric: 'accuracy' },
    });
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProblemError);
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const problem = error as ProblemError;
    expect(problem.detail).toEqual(expect.any(String));
    expect(problem.errors.map((e) => e.field)).toContain('name');

    const anonymous = createDeltaOneClient({ baseUrl: base });
    await expect(anonymous.GET('/api/v1/models')).rejects.toMatchObject({ status: 401, code: 'API_KEY_MISSING' });
  });

  it('should answer typed data when the call succeeds', async () => {
    const client = createDeltaOneClient({ baseUrl: base, apiKey: owner.key });
    const { data } = await client.GET('/api/v1/api-keys/current');
    expect(data).toMatchObject({ id: owner.id, owner: owner.owner });
  });
});
