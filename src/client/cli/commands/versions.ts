import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { answer } from '../../client';
import { uploadVersion } from '../../upload';
import type { CommandModule } from '../context';
import { table } from '../output';

interface UploadOptions {
  metadata?: string;
  features?: string;
  metrics?: string;
  description?: string;
  parent?: string;
}

/** `f0:float,f1:int` as the features of a version's metadata. */
const parseFeatures = (spec: string) =>
  spec.split(',').map((f) => {
    const [name, type = 'float'] = f.trim().split(':');
    return { name, type };
  });

async function metadataOf(o: UploadOptions): Promise<Record<string, unknown>> {
  const text = o.metadata?.startsWith('@') ? await readFile(o.metadata.slice(1), 'utf8') : o.metadata;
  const metadata = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (o.features) metadata.features = parseFeatures(o.features);
  if (o.metrics) metadata.metrics = JSON.parse(o.metrics) as unknown;
  if (o.description) metadata.description = o.description;
  if (o.parent) metadata.parentVersion = Number(o.parent);
  return metadata;
}

export const versionCommands: CommandModule = (program, ctx) => {
  const versions = program.command('versions').description('versions of a model');

  versions
    .command('upload <model> <file>')
    .description('upload a .onnx file as the next version (streamed, with a progress bar)')
    .option('--metadata <json>', 'version metadata as JSON, or @file.json')
    .option('--features <list>', 'input features, for example f0:float,f1:int')
    .option('--metrics <json>', 'metrics as JSON, for example {"accuracy":0.86}')
    .option('--description <text>')
    .option('--parent <version>', 'the version this one was trained from')
    .action(async (model: string, file: string, o: UploadOptions, cmd: Command) => {
      const c = ctx(cmd);
      const bar = c.progress(`uploading ${file}`, 'bytes');
      try {
        const v = await uploadVersion(c.client(), model, file, await metadataOf(o), (sent, total) =>
          bar.update(sent, total),
        );
        bar.stop();
        c.print(v, (r) => `uploaded ${r.modelName} v${r.version} (${r.sizeBytes} bytes, sha256 ${r.sha256})`);
      } finally {
        bar.stop();
      }
    });

  versions
    .command('list <model>')
    .description('versions, newest first')
    .action(async (name: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const page = await answer(c.client().GET('/api/v1/models/{name}/versions', { params: { path: { name } } }));
      c.print(page, (p) => table(p.items, ['version', 'status', 'aliases', 'sizeBytes', 'createdAt']));
    });

  versions
    .command('get <model> <version>')
    .description('one version with its signature, features and metrics')
    .action(async (name: string, version: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const path = { name, version: Number(version) };
      c.print(await answer(c.client().GET('/api/v1/models/{name}/versions/{version}', { params: { path } })));
    });
};
