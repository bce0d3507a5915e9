import { AliasHistoryEntryDto, AliasResponseDto } from './aliases.dto';
import { ModelAliasHistoryEntity } from './model-alias-history.entity';
import { ModelAliasEntity } from './model-alias.entity';
import { ModelEntity } from './model.entity';
import { ModelResponseDto } from './models.dto';
import { ModelWithAliases } from './models.service';
import { LineageResponseDto, VersionResponseDto } from './versions.dto';
import { LineageEntry, VersionWithAliases } from './versions.service';

export function toModelDto({ model: m, aliases }: ModelWithAliases): ModelResponseDto {
  return {
    id: m.id,
    name: m.name,
    description: m.description,
    tokenId: m.tokenId,
    benchmarkMetric: m.benchmarkMetric,
    metricDirection: m.metricDirection,
    benchmarkValue: m.benchmarkValue,
    labelColumn: m.labelColumn,
    labelKind: m.labelKind,
    tags: m.tags,
    visibility: m.visibility,
    owner: m.owner,
    status: m.status,
    latestVersion: m.latestVersion,
    aliases,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    archivedAt: m.archivedAt?.toISOString() ?? null,
  };
}

export function toVersionDto({ model, version: v, aliases }: VersionWithAliases): VersionResponseDto {
  return {
    id: v.id,
    modelName: model.name,
    version: v.version,
    status: v.status,
    description: v.description,
    metrics: v.metrics,
    datasetHash: v.datasetHash,
    runId: v.runId,
    parentVersion: v.parentVersion,
    contributionIds: v.contributionIds,
    tags: v.tags,
    features: v.features,
    signature: v.signature,
    batching: v.batching,
    sha256: v.sha256,
    sizeBytes: v.sizeBytes,
    aliases,
    createdBy: v.createdBy,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
  };
}

export function toAliasDto(model: ModelEntity, a: ModelAliasEntity): AliasResponseDto {
  return {
    modelName: model.name,
    alias: a.alias,
    version: a.version,
    updatedBy: a.updatedBy,
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function toHistoryDto(h: ModelAliasHistoryEntity): AliasHistoryEntryDto {
  return {
    id: h.id,
    alias: h.alias,
    action: h.action,
    fromVersion: h.fromVersion,
    toVersion: h.toVersion,
    actor: h.actor,
    actorKeyId: h.actorKeyId,
    createdAt: h.createdAt.toISOString(),
  };
}

export function toLineageDto(model: ModelEntity, chain: LineageEntry[]): LineageResponseDto {
  return {
    modelName: model.name,
    benchmarkMetric: model.benchmarkMetric,
    metricDirection: model.metricDirection,
    declaredBaseline: model.benchmarkValue,
    chain: chain.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
  };
}
