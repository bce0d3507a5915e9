import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { DataSource } from 'typeorm';
import { AwardService, MintService, RewardEntity } from 'src/modules/rewards';
import { ChainService } from 'src/platform/chain';
import { createApiKey } from '../factories/api-key.factory';
import { acceptedDeltaOne } from '../factories/deltaone.factory';
import { createModel, createVersion, features16, MLP, uniqueModel } from '../factories/model.factory';
import { chainEnv, describeWithChain } from '../support/chain';
import { createTestApp, TestApp } from '../support/test-app';

/** Runs the mint job in a child server process and kills it with SIGKILL once the transaction is sent. */
function mintAndDie(databaseUrl: string, rewardId: string, env: Record<string, string>): Promise<string> {
  const child = spawn(
    process.execPath,
    [join(__dirname, '..', 'support', 'mint-child.js'), databaseUrl, rewardId, JSON.stringify(env)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /SENT (0x[0-9a-f]{64})/.exec(d.toString());
      if (m) {
        child.kill('SIGKILL');
        child.once('exit', () => resolve(m[1]));
      }
    });
    child.once('exit', (code) => {
      if (code !== null) reject(new Error(`the child exited with ${code} before sending: ${err}`));
    });
  });
}

describeWithChain('rewards: a server killed between send and record', () => {
  let t: TestApp;
  const env = chainEnv({ JOBS_ENABLED: 'false' });

  beforeAll(async () => {
    t = await createTestApp({ env });
  });
  afterAll(() => t?.close());

  it('should record the mint the killed process sent and mint once when the job runs again', async () => {
    const owner = await createApiKey(t, { scopes: ['models:read', 'models:write'] });
    const contributor = await createApiKey(t, { scopes: ['contributions:write'] });
    const model = await createModel(t, owner.headers, { labelColumn: 'label', labelKind: 'classes' });
    await createVersion(t, model.name, MLP, { features: features16() }, owner.headers);
    await t.http.post(`/api/v1/models/${model.name}/promote`).set(owner.headers).send({ version: 1 }).expect(200);
    const wallet = Wallet.createRandom();
    const rows = Array.from({ length: 8 }, (_, r) => ({
      ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, Math.cos(r * 31 + i)])),
      label: r % 2 ? 'yes' : 'no',
    }));
    const c = await t.http
      .post(`/api/v1/models/${model.name}/contributions`)
      .set(contributor.headers)
      .send({ rows, contributor: { walletAddress: wallet.address } })
      .expect(201);
    const v2 = await createVersion(
      t,
      model.name,
      uniqueModel(MLP),
      { features: features16(), contributionIds: [c.body.id] },
      owner.headers,
    );
    // The chain client of this process deploys the token first: the child then only sends the mint.
    await t.app.get(ChainService).ensureToken(model.tokenId);
    const awarded = await t.app
      .get(AwardService)
      .award(acceptedDeltaOne(model, { version: v2.version, sha256: v2.sha256 }));

    const txHash = await mintAndDie(t.databaseUrl, awarded.id, env);
    const after = await t.app.get(DataSource).getRepository(RewardEntity).findOneByOrFail({ id: awarded.id });
    expect(after).toMatchObject({ status: 'submitted', txHash, blockNumber: null });

    const done = await t.app.get(MintService).run(awarded.id);
    expect(done).toMatchObject({ status: 'confirmed', txHash });
    expect(await t.app.get(ChainService).balanceOf(model.tokenId, wallet.address)).toBe(BigInt(awarded.total));
  });
});
