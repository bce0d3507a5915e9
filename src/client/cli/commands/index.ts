import type { CommandModule } from '../context';
import { aliasCommands } from './aliases';
import { apiKeyCommands } from './api-keys';
import { contributionCommands } from './contributions';
import { datasetCommands } from './datasets';
import { deltaoneCommands } from './deltaone';
import { evaluationCommands } from './evaluations';
import { experimentCommands } from './experiments';
import { jobCommands } from './jobs';
import { modelCommands } from './models';
import { predictCommand } from './predict';
import { rewardCommands } from './rewards';
import { trainingRunCommands } from './training-runs';
import { versionCommands } from './versions';
import { webhookCommands } from './webhooks';

/** Every command group, in the order of `deltaone --help`. A new group is one file here and one line below. */
export const COMMANDS: CommandModule[] = [
  apiKeyCommands,
  modelCommands,
  versionCommands,
  aliasCommands,
  predictCommand,
  contributionCommands,
  datasetCommands,
  trainingRunCommands,
  evaluationCommands,
  deltaoneCommands,
  rewardCommands,
  experimentCommands,
  webhookCommands,
  jobCommands,
];
