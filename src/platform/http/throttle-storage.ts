import { Logger } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The shared counters (Redis), and this process's own while they cannot be reached: an outage of Redis then
 * neither refuses every request nor lifts the limit, which holds per replica until Redis answers again.
 */
export class FallbackThrottlerStorage implements ThrottlerStorage {
  private readonly local = new ThrottlerStorageService();
  private readonly logger = new Logger('RateLimit');
  private degraded = false;

  /** `connected`: false while the client knows Redis is unreachable, so no request waits for its reconnects. */
  constructor(
    private readonly shared: ThrottlerStorage,
    private readonly connected: () => boolean = () => true,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    try {
      if (!this.connected()) throw new Error('Redis is not connected');
      const record = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
      if (this.degraded) this.logger.log('rate-limit counters are shared in Redis again');
      this.degraded = false;
      return record;
    } catch (err) {
      if (!this.degraded) {
        this.logger.warn({ message: 'Redis unreachable: counting rate limits in this process', error: String(err) });
      }
      this.degraded = true;
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }
}
