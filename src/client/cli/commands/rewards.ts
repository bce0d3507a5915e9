import type { Command } from 'commander';
import { formatUnits } from 'ethers';
import { answer } from '../../client';
import type { components } from '../../schema';
import type { CommandModule } from '../context';
import { table } from '../output';

type Reward = components['schemas']['RewardResponseDto'];
type Settings = components['schemas']['UpdateRewardSettingsDto'];

/** Token amounts travel in the smallest unit (18 decimals); people read whole tokens. */
export const tokens = (units: string | null): string => (units === null ? '-' : formatUnits(units, 18));

export const describeReward = (r: Reward): string => {
  const lines = [`reward ${r.id} (${r.model}, ${r.tokenId}): ${r.status}${r.reason ? ` (${r.reason})` : ''}`];
  lines.push(`  total ${tokens(r.total)} ${r.tokenId} for delta ${r.deltaBps} bps, tx ${r.txHash ?? '-'}`);
  for (const p of r.recipients) {
    lines.push(`  ${p.walletAddress}: ${tokens(p.amount)} (${p.creditedRows} rows, ${p.weightBps / 100}%)`);
  }
  return lines.join('\n');
};

const rewardRows = (items: Reward[]) =>
  table(
    items.map((r) => ({ ...r, total: tokens(r.total) })),
    ['id', 'status', 'tokenId', 'total', 'deltaBps', 'txHash', 'createdAt'],
  );

export const rewardCommands: CommandModule = (program, ctx) => {
  const rewards = program.command('rewards').description('DeltaOne rewards, balances, attestations, settings');

  rewards
    .command('get <id>')
    .description('a reward: status, amounts per wallet, tx hash')
    .action(async (id: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      c.print(await answer(c.client().GET('/api/v1/rewards/{id}', { params: { path: { id } } })), describeReward);
    });

  rewards
    .command('list <model>')
    .description("a model's rewards, newest first")
    .action(async (name: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const page = await answer(c.client().GET('/api/v1/models/{name}/rewards', { params: { path: { name } } }));
      c.print(page, (p) => rewardRows(p.items));
    });

  rewards
    .command('contributor <wallet>')
    .description("a wallet's rewards and, per token, the rewarded sum and the on-chain balance")
    .action(async (walletAddress: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const params = { path: { walletAddress } };
      const page = await answer(c.client().GET('/api/v1/contributors/{walletAddress}/rewards', { params }));
      c.print(page, (p) =>
        [
          table(
            p.balances.map((b) => ({ ...b, balance: tokens(b.balance), rewarded: tokens(b.rewarded) })),
            ['tokenId', 'balance', 'rewarded', 'tokenAddress'],
          ),
          rewardRows(p.items),
        ].join('\n\n'),
      );
    });

  rewards
    .command('attestation <evaluationId>')
    .description('the attested document of an evaluation, its hash, the mint key and the EIP-712 signature')
    .action(async (id: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      c.print(await answer(c.client().GET('/api/v1/evaluations/{id}/attestation', { params: { path: { id } } })));
    });

  rewards
    .command('settings <model>')
    .description("show a model's reward settings, or change them with the options (whole tokens, as decimals)")
    .option('--tokens-per-deltaone <amount>')
    .option('--max-reward <amount>')
    .option('--budget <amount>')
    .option('--paused <bool>', 'true or false')
    .action(
      async (
        name: string,
        o: { tokensPerDeltaone?: string; maxReward?: string; budget?: string; paused?: string },
        cmd: Command,
      ) => {
        const c = ctx(cmd);
        const params = { path: { name } };
        const body: Settings = {
          tokensPerDeltaOne: o.tokensPerDeltaone,
          maxReward: o.maxReward,
          budget: o.budget,
          paused: o.paused === undefined ? undefined : o.paused === 'true',
        };
        const change = Object.values(body).some((v) => v !== undefined);
        c.print(
          await answer(
            change
              ? c.client().PUT('/api/v1/models/{name}/reward-settings', { params, body })
              : c.client().GET('/api/v1/models/{name}/reward-settings', { params }),
          ),
        );
      },
    );
};
