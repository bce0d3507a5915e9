import { ModelEntity } from './model.entity';
import { BenchmarkMetric, LabelKind, MetricDirection, ModelStatus, ModelVisibility } from './registry.rules';

/** What other modules learn about a model. */
export interface RegisteredModel {
  id: string;
  name: string;
  owner: string;
  tokenId: string;
  benchmarkMetric: BenchmarkMetric;
  metricDirection: MetricDirection;
  benchmarkValue: number | null;
  labelColumn: string | null;
  labelKind: LabelKind | null;
  tags: string[];
  visibility: ModelVisibility;
  status: ModelStatus;
  latestVersion: number;
}

export function toRegisteredModel(m: ModelEntity): RegisteredModel {
  return {
    id: m.id,
    name: m.name,
    owner: m.owner,
    tokenId: m.tokenId,
    benchmarkMetric: m.benchmarkMetric,
    metricDirection: m.metricDirection,
    benchmarkValue: m.benchmarkValue,
    labelColumn: m.labelColumn,
    labelKind: m.labelKind,
    tags: m.tags,
    visibility: m.visibility,
    status: m.status,
    latestVersion: m.latestVersion,
  };
}
