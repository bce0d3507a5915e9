import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { JobProcessor, PROCESSOR_KEY, ProcessorMetadata } from './processor';

export interface RegisteredProcessor {
  meta: ProcessorMetadata;
  processor: JobProcessor<object>;
}

/** The @Processor providers of the application, found once through Nest's DiscoveryService. */
@Injectable()
export class JobProcessors {
  private found?: Map<string, RegisteredProcessor>;

  constructor(private readonly discovery: DiscoveryService) {}

  all(): RegisteredProcessor[] {
    return [...this.byQueue().values()];
  }

  get(queue: string): RegisteredProcessor | undefined {
    return this.byQueue().get(queue);
  }

  private byQueue(): Map<string, RegisteredProcessor> {
    if (this.found) return this.found;
    const found = new Map<string, RegisteredProcessor>();
    for (const wrapper of this.discovery.getProviders()) {
      const type = wrapper.metatype;
      if (!type || !wrapper.instance) continue;
      const meta = Reflect.getMetadata(PROCESSOR_KEY, type) as ProcessorMetadata | undefined;
      if (!meta) continue;
      if (!(wrapper.instance instanceof JobProcessor)) {
        throw new Error(`@Processor('${meta.queue}') ${type.name} must extend JobProcessor`);
      }
      if (found.has(meta.queue)) throw new Error(`Two processors for the queue ${meta.queue}`);
      found.set(meta.queue, { meta, processor: wrapper.instance as JobProcessor<object> });
    }
    this.found = found;
    return found;
  }
}
