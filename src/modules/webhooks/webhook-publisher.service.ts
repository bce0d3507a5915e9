import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EventsService, PublishOptions } from 'src/platform/events';
import { WebhookError } from './webhooks.errors';

const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/**
 * The webhooks module's public publisher. Call it with the EntityManager of the transaction that makes the change:
 * the message exists (and is delivered) if and only if that transaction commits. Returns the message id
 * (`msg_` + ULID), which is the `webhook-id` of every delivery.
 */
@Injectable()
export class WebhookPublisher {
  constructor(private readonly events: EventsService) {}

  publish(manager: EntityManager, type: string, data: object, options: PublishOptions = {}): Promise<string> {
    if (!EVENT_TYPE.test(type)) {
      throw new WebhookError('WEBHOOK_EVENT_TYPE_INVALID', `Event type ${type} is not of the form area.action.`);
    }
    return this.events.publish(manager, type, data, options);
  }
}
