import { Injectable } from '@nestjs/common';
import { assertWritable, RegistryService } from 'src/modules/registry';
import { AuditService } from 'src/platform/audit';
import { Principal } from 'src/platform/auth';
import { TxHost } from 'src/platform/database';
import { DeltaOneSettingsEntity } from './deltaone-settings.entity';
import { DEFAULT_DELTAONE_SETTINGS, DeltaOneSettingsValues } from './domain/decision';

const FIELDS = ['minExamples', 'cooldownSeconds', 'thresholdBps', 'alpha'] as const;

export interface DeltaOneSettingsView extends DeltaOneSettingsValues {
  model: string;
  updatedBy: string | null;
  updatedAt: Date | null;
}

/** Per-model DeltaOne settings (defaults when never set), changed by the model's owner or an admin. */
@Injectable()
export class DeltaOneSettingsService {
  constructor(
    private readonly txHost: TxHost,
    private readonly registry: RegistryService,
    private readonly audit: AuditService,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(DeltaOneSettingsEntity);
  }

  async valuesFor(modelId: string): Promise<DeltaOneSettingsValues> {
    const row = await this.repo.findOneBy({ modelId });
    if (!row) return { ...DEFAULT_DELTAONE_SETTINGS };
    return {
      minExamples: row.minExamples,
      cooldownSeconds: row.cooldownSeconds,
      thresholdBps: row.thresholdBps,
      alpha: row.alpha,
    };
  }

  async get(principal: Principal, name: string): Promise<DeltaOneSettingsView> {
    const model = await this.registry.getModel(name, principal);
    const row = await this.repo.findOneBy({ modelId: model.id });
    return {
      model: model.name,
      ...(await this.valuesFor(model.id)),
      updatedBy: row?.updatedBy ?? null,
      updatedAt: row?.updatedAt ?? null,
    };
  }

  async put(
    principal: Principal,
    name: string,
    changes: Partial<DeltaOneSettingsValues>,
  ): Promise<DeltaOneSettingsView> {
    const model = await this.registry.getModel(name, principal);
    assertWritable(model, principal);
    await this.txHost.withTransaction(async () => {
      const before = await this.valuesFor(model.id);
      const after: DeltaOneSettingsValues = { ...before };
      for (const f of FIELDS) if (changes[f] !== undefined) after[f] = changes[f];
      await this.repo.upsert({ modelId: model.id, ...after, updatedBy: principal.owner }, ['modelId']);
      await this.audit.record({
        action: 'deltaone_settings.update',
        target: { type: 'model', id: model.id, owner: model.owner },
        changes: Object.fromEntries(
          FIELDS.filter((f) => before[f] !== after[f]).map((f) => [f, { from: before[f], to: after[f] }]),
        ),
      });
    });
    return this.get(principal, name);
  }
}
