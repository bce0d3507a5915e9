import { Webhook } from 'standardwebhooks';
import { validateEnvironment } from 'src/platform/config';
import { generateSigningSecret, sign, WebhookSecretsService } from './webhook-secrets.service';

describe('webhook secrets', () => {
  it('should make whsec_ secrets of 32 random bytes when generating', () => {
    const a = generateSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(generateSigningSecret()).not.toBe(a);
  });

  it('should sign exactly as the standardwebhooks library does', () => {
    const secret = generateSigningSecret();
    const at = new Date();
    const ts = Math.floor(at.getTime() / 1000);
    const body = '{"id":"msg_1","type":"t.x","timestamp":"2026-01-01T00:00:00.000Z","data":{}}';
    const wh = new Webhook(secret);
    expect(sign(secret, 'msg_1', ts, body)).toBe(wh.sign('msg_1', at, body));
  });

  it('should encrypt secrets at rest and decrypt them only with the same key', () => {
    const config = validateEnvironment({ WEBHOOK_SECRET_KEY: 'a'.repeat(64) });
    const service = new WebhookSecretsService(config);
    service.onModuleInit();
    const secret = generateSigningSecret();
    const stored = service.encrypt(secret);
    expect(stored).not.toContain(secret.slice(6, 20));
    expect(service.encrypt(secret)).not.toBe(stored);
    expect(service.decrypt(stored)).toBe(secret);
    const other = new WebhookSecretsService(validateEnvironment({ WEBHOOK_SECRET_KEY: 'b'.repeat(64) }));
    other.onModuleInit();
    expect(() => other.decrypt(stored)).toThrow();
  });
});
