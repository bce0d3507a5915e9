import { Injectable } from '@nestjs/common';
import { DatasetsService } from 'src/modules/datasets';
import { EvaluationsService } from 'src/modules/deltaone';
import { RegisteredModel } from 'src/modules/registry';

/** How a registered candidate reaches DeltaOne: an evaluation against production on the active benchmark. */
@Injectable()
export class TrainingEvaluations {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly evaluations: EvaluationsService,
  ) {}

  /**
   * Queues the evaluation in the caller's transaction (so it exists only if the version does); null when the model
   * has no active benchmark to evaluate on.
   */
  async queueAgainstProduction(model: RegisteredModel, candidateVersion: number): Promise<string | null> {
    if (!(await this.datasets.activeBenchmark(model.id))) return null;
    const principal = { keyId: 'training', owner: model.owner, scopes: ['models:read' as const, 'models:write' as const], isAdmin: false };
    const evaluation = await this.evaluations.start(principal, model.name, { candidateVersion });
    return evaluation.id;
  }

  /** Production's metric on the active benchmark from its latest decided evaluation as baseline, or null. */
  async productionMetric(model: RegisteredModel): Promise<number | null> {
    return this.evaluations.latestProductionMetric(model.id);
  }
}
