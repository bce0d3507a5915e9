import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EventsService, PublishOptions } from 'src/platform/events';

/**
 * @deprecated Temporary, until contributions runs in the ambient transaction: publish with
 * `EventsService.publish(type, data)` inside `txHost.withTransaction` instead.
 */
@Injectable()
export class WebhookPublisher {
  constructor(private readonly events: EventsService) {}

  publish(manager: EntityManager, type: string, data: object, options: PublishOptions = {}): Promise<string> {
    return this.events.publishIn(manager, type, data, options);
  }
}
