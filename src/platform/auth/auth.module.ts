import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { globalGuards } from '../http/request-guards';
import { ApiKeyThrottlerGuard, RateLimitModule } from '../http/throttle';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';

@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity]), RateLimitModule],
  controllers: [ApiKeysController],
  providers: [
    ApiKeysService,
    // Order matters: rate limiting runs first (it resolves the key through the cache to pick the caller's bucket),
    // so a flood is refused before the auth guard's work. The lean routes run the same list (REQUEST_GUARDS).
    ...globalGuards(ApiKeyThrottlerGuard, ApiKeyGuard),
  ],
  exports: [ApiKeysService],
})
export class AuthModule {}
