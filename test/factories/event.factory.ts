import { DataSource } from 'typeorm';
import { WebhookPublisher } from 'src/modules/webhooks';
import { PublishOptions } from 'src/platform/events';
import { TestApp } from '../support/test-app';

/** Publishes an event the way a module does: through WebhookPublisher, inside a committed transaction. */
export async function publishEvent(
  t: TestApp,
  type: string,
  data: object,
  options: PublishOptions = {},
): Promise<string> {
  const publisher = t.app.get(WebhookPublisher);
  return t.app.get(DataSource).transaction((m) => publisher.publish(m, type, data, options));
}
