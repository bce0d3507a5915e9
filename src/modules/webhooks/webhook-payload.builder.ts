/** The most a delivered body may weigh; larger `data` is replaced by its ids and a link. */
export const MAX_PAYLOAD_BYTES = 20 * 1024;

export interface MessageRow {
  id: string;
  type: string;
  data: object;
  createdAt: Date;
}

const ID_KEY = /^(id|[A-Za-z0-9]*Id|[A-Za-z0-9]*Ids|name|modelName|version)$/;

function idsOf(data: object): Record<string, unknown> {
  const ids: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!ID_KEY.test(key)) continue;
    if (typeof value === 'string' && value.length <= 200) ids[key] = value;
    else if (typeof value === 'number') ids[key] = value;
    else if (
      Array.isArray(value) &&
      value.length <= 50 &&
      value.every((v) => typeof v === 'string' && v.length <= 200)
    ) {
      ids[key] = value;
    }
  }
  return ids;
}

export function messageLink(id: string): string {
  return `/api/v1/webhooks/messages/${id}`;
}

/**
 * The body of every delivery of a message: `{id, type, timestamp, data}`, compact JSON, the same bytes on every
 * attempt. At most MAX_PAYLOAD_BYTES: otherwise `data` becomes `{truncated: true, ...ids, url}`, where `url` is
 * the API path that returns the whole message.
 */
export function buildPayload(message: MessageRow): string {
  const envelope = (data: object) =>
    JSON.stringify({ id: message.id, type: message.type, timestamp: message.createdAt.toISOString(), data });
  const full = envelope(message.data);
  if (Buffer.byteLength(full) <= MAX_PAYLOAD_BYTES) return full;
  const thin = envelope({ truncated: true, ...idsOf(message.data), url: messageLink(message.id) });
  if (Buffer.byteLength(thin) <= MAX_PAYLOAD_BYTES) return thin;
  return envelope({ truncated: true, url: messageLink(message.id) });
}
