import { assertWritable, RegistryService } from 'src/modules/registry';
import { AuditService, changesOf } from 'src/platform/audit';
import { Principal } from 'src/platform/auth';
import { AppConfig } from 'src/platform/config';
import { TxHost } from 'src/platform/database';
import { ContributionError } from './contributions.errors';
import { ContributionsRepository } from './contributions.repository';
import { ContributionSettings, DEFAULT_MIN_QUALITY } from './contributions.types';

/** A model's contribution settings (PII policy, minimum quality, signature), set by its owner. */
export class ContributionSettingsStore {
  constructor(
    private readonly txHost: TxHost,
    private readonly repository: ContributionsRepository,
    private readonly registry: RegistryService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /** Throws when a model pseudonymises PII and no secret is configured (the server must not start so). */
  async assertSecretWhenNeeded(): Promise<void> {
    if (this.config.CONTRIBUTION_PSEUDONYM_SECRET) return;
    const models = await this.repository.pseudonymizingModels();
    if (models.length > 0) {
      throw new Error(
        `CONTRIBUTION_PSEUDONYM_SECRET must be set: models ${models.join(', ')} pseudonymize PII in contributions.`,
      );
    }
  }

  async get(principal: Principal, name: string): Promise<ContributionSettings> {
    const model = await this.registry.getModel(name, principal);
    return this.of(model.id, model.name);
  }

  async update(
    principal: Principal,
    name: string,
    patch: Partial<Omit<ContributionSettings, 'modelName'>>,
  ): Promise<ContributionSettings> {
    const model = await this.registry.getModel(name, principal);
    assertWritable(model, principal);
    if (patch.piiPolicy === 'pseudonymize' && !this.config.CONTRIBUTION_PSEUDONYM_SECRET) {
      throw new ContributionError(
        'PSEUDONYMIZE_SECRET_MISSING',
        'The server has no CONTRIBUTION_PSEUDONYM_SECRET, so it cannot pseudonymize PII.',
        { errors: [{ field: 'piiPolicy', code: 'PSEUDONYMIZE_SECRET_MISSING', message: 'no pseudonym secret' }] },
      );
    }
    return this.txHost.withTransaction(async () => {
      const current = await this.of(model.id, model.name);
      // A DTO carries its absent fields as undefined: they must not blank the current values.
      const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const next: ContributionSettings = { ...current, ...given };
      await this.repository.saveSettings({
        modelId: model.id,
        modelName: model.name,
        piiPolicy: next.piiPolicy,
        minQuality: next.minQuality,
        requireSignature: next.requireSignature,
        updatedBy: principal.owner,
      });
      await this.audit.record({
        action: 'contribution_settings.update',
        target: { type: 'contribution_settings', id: model.name, owner: model.owner },
        changes: changesOf(current, next, ['piiPolicy', 'minQuality', 'requireSignature']),
      });
      return next;
    });
  }

  /** The model's settings, or the defaults when its owner never set them. */
  async of(modelId: string, modelName: string): Promise<ContributionSettings> {
    const s = await this.repository.findSettings(modelId);
    return {
      modelName,
      piiPolicy: s?.piiPolicy ?? 'reject',
      minQuality: s?.minQuality ?? DEFAULT_MIN_QUALITY,
      requireSignature: s?.requireSignature ?? false,
    };
  }
}
