import { AuditChange, AuditTarget, changesOf } from 'src/platform/audit';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';

type EndpointView = Pick<WebhookEndpointEntity, 'url' | 'eventTypes' | 'description' | 'modelNames' | 'enabled'>;

const FIELDS = ['url', 'eventTypes', 'description', 'modelNames', 'enabled'] as const;

/** A URL's query and userinfo may carry a token: the audit log keeps its origin and path only. */
function withoutQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '[unparseable URL]';
  }
}

function view(e: EndpointView): EndpointView {
  return {
    url: withoutQuery(e.url),
    eventTypes: e.eventTypes,
    description: e.description,
    modelNames: e.modelNames,
    enabled: e.enabled,
  };
}

export const endpointTarget = (e: Pick<WebhookEndpointEntity, 'id' | 'owner'>): AuditTarget => ({
  type: 'webhook_endpoint',
  id: e.id,
  owner: e.owner,
});

/** What changed on an endpoint (null before: created; null after: deleted); never its secrets. */
export function endpointChanges(before: EndpointView | null, after: EndpointView | null): Record<string, AuditChange> {
  return changesOf(before && view(before), after && view(after), FIELDS);
}
