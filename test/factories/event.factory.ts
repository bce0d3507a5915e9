import { EventsService, EventType, PublishOptions } from 'src/platform/events';
import { TxHost } from 'src/platform/database';
import { TestApp } from '../support/test-app';

/**
 * Publishes an event the way a module does: through EventsService, inside a committed transaction. `data` is
 * whatever the test needs delivered; its shape is not the subject here.
 */
export async function publishEvent(
  t: TestApp,
  type: EventType,
  data: object,
  options: PublishOptions = {},
): Promise<string> {
  const events = t.app.get(EventsService);
  return t.app.get(TxHost).withTransaction(() => events.publish(type, data as never, options));
}
