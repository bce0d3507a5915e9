import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { Wallet } from 'ethers';
import { answer } from '../../client';
import { signContribution } from '../../contribution-signature';
import type { components } from '../../schema';
import type { CommandModule } from '../context';
import { table } from '../output';
import { parseRows } from './predict';

type Settings = components['schemas']['UpdateContributionSettingsDto'];

interface SubmitOptions {
  file: string;
  wallet?: string;
  walletKey?: string;
  license?: string;
}

export const contributionCommands: CommandModule = (program, ctx) => {
  const contributions = program.command('contributions').description('data contributions to a model');

  contributions
    .command('submit <model>')
    .description('contribute rows, signed by a wallet when its private key is given')
    .requiredOption('--file <path>', 'rows from a .json or .jsonl file (features plus the label column)')
    .option('--wallet <address>', 'the contributor wallet, when not signing')
    .option('--wallet-key <hex>', 'sign with this wallet private key (env DELTAONE_WALLET_KEY, safer)')
    .option('--license <licence>', 'the licence the data is given under, for example CC-BY-4.0')
    .action(async (model: string, o: SubmitOptions, cmd: Command) => {
      const c = ctx(cmd);
      const rows = parseRows(await readFile(o.file, 'utf8'));
      const key = o.walletKey ?? c.io.env.DELTAONE_WALLET_KEY;
      if (!key && !o.wallet) throw new Error('give --wallet <address>, or a key to sign with (--wallet-key)');
      const contributor = key ? await signContribution(new Wallet(key), model, rows) : { walletAddress: o.wallet! };
      const result = await answer(
        c.client().POST('/api/v1/models/{name}/contributions', {
          params: { path: { name: model } },
          body: { rows, contributor, license: o.license },
        }),
      );
      c.print(result, (r) => {
        if (!('counts' in r)) return `accepted for processing: ${JSON.stringify(r)}`;
        const n = r.counts;
        const signed = r.signatureVerified ? ', signature verified' : '';
        const why = r.rejectionCode ? ` (${r.rejectionCode}: ${r.rejectionReason ?? ''})` : '';
        return `contribution ${r.id}: ${r.status}${why}${signed}\n  rows: ${n.received} received, ${n.accepted} accepted, ${n.rejected} rejected, ${n.duplicate} duplicate`;
      });
    });

  contributions
    .command('list <model>')
    .description("a model's contributions, newest first")
    .action(async (name: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const path = { name };
      const page = await answer(c.client().GET('/api/v1/models/{name}/contributions', { params: { path } }));
      c.print(page, (p) => table(p.items, ['id', 'walletAddress', 'status', 'signatureVerified', 'receivedAt']));
    });

  contributions
    .command('get <id>')
    .description('one contribution with its quality report and PII summary')
    .action(async (id: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      c.print(await answer(c.client().GET('/api/v1/contributions/{id}', { params: { path: { id } } })));
    });

  contributions
    .command('settings <model>')
    .description("show a model's contribution settings, or change them with the options")
    .option('--pii-policy <policy>', 'reject, redact or pseudonymize')
    .option('--min-quality <score>', 'contributions scoring below are rejected (0 to 1)')
    .option('--require-signature <bool>', 'true or false')
    .action(
      async (name: string, o: { piiPolicy?: string; minQuality?: string; requireSignature?: string }, cmd: Command) => {
        const c = ctx(cmd);
        const params = { path: { name } };
        const body: Settings = {
          piiPolicy: o.piiPolicy as Settings['piiPolicy'],
          minQuality: o.minQuality === undefined ? undefined : Number(o.minQuality),
          requireSignature: o.requireSignature === undefined ? undefined : o.requireSignature === 'true',
        };
        const change = Object.values(body).some((v) => v !== undefined);
        const settings = await answer(
          change
            ? c.client().PUT('/api/v1/models/{name}/contribution-settings', { params, body })
            : c.client().GET('/api/v1/models/{name}/contribution-settings', { params }),
        );
        c.print(settings);
      },
    );
};
