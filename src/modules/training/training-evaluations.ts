import { Injectable } from '@nestjs/common';
import { DatasetsService } from 'src/modules/datasets';
import { EvaluationsService } from 'src/modules/deltaone';
import { RegisteredModel, RegistryService } from 'src/modules/registry';
import { Principal } from 'src/platform/auth';

/** How a registered candidate reaches DeltaOne: an evaluation against production on the active benchmark. */
@Injectable()
export class TrainingEvaluations {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly registry: RegistryService,
    private readonly evaluations: EvaluationsService,
  ) {}

  /**
   * Queues the evaluation in the caller's transaction (so it exists only if the version does); null when the model
   * has no active benchmark to evaluate on.
   */
  async queueAgainstProduction(model: RegisteredModel, candidateVersion: number): Promise<string | null> {
    if (!(await this.datasets.activeBenchmark(model.id))) return null;
    const evaluation = await this.evaluations.start(asOwner(model), model.name, { candidateVersion });
    return evaluation.id;
  }

  /** Production's metric measured on the benchmark by its newest evaluation, or null when it was never measured. */
  async productionMetric(model: RegisteredModel): Promise<number | null> {
    const production = await this.registry.featureSchema(model.name).catch(() => null);
    if (!production) return null;
    const bps = await this.evaluations.measuredMetricBps(model.id, production.version);
    return bps === null ? null : bps / 10000;
  }
}

/** The server acting for the model's owner (a run and its evaluation belong to the model). */
export function asOwner(model: RegisteredModel, keyId = 'training'): Principal {
  return { keyId, owner: model.owner, scopes: ['models:read', 'models:write'], isAdmin: false };
}
