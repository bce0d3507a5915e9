import { Injectable } from '@nestjs/common';
import { PRODUCTION, RegistryError, RegistryService } from 'src/modules/registry';
import { InferenceError } from './inference.errors';
import { ServableVersion } from './servable';
import { ModelAccess, ServableSummary, VersionRef, VersionSource } from './version-source';

/** Inference's view of the registry, through the registry's public service only. */
@Injectable()
export class RegistryVersionSource implements VersionSource {
  constructor(private readonly registry: RegistryService) {}

  async resolve(name: string, ref: VersionRef): Promise<ServableVersion> {
    try {
      const resolved = await this.registry.resolve(name, ref);
      return { ...resolved, owner: resolved.model.owner, visibility: resolved.model.visibility };
    } catch (err) {
      const asksProduction = ref.version === undefined && (ref.alias ?? PRODUCTION) === PRODUCTION;
      if (asksProduction && err instanceof RegistryError && err.code === 'ALIAS_NOT_FOUND') {
        throw new InferenceError(
          'NO_PRODUCTION_VERSION',
          `Model ${name} has no production version; promote one, or ask for a version or an alias.`,
        );
      }
      throw err;
    }
  }

  previousProduction(name: string): Promise<number | null> {
    return this.registry.previousProduction(name);
  }

  resolutionStamps(names: string[]): Promise<Map<string, string>> {
    return this.registry.resolutionStamps(names);
  }

  listAliased(): Promise<ServableSummary[]> {
    return this.registry.listAliased();
  }

  access(name: string): Promise<ModelAccess | null> {
    return this.registry.access(name);
  }
}
