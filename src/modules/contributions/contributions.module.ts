import { Module } from '@nestjs/common';
import { PrivacyModule } from 'src/modules/privacy';
import { RegistryModule } from 'src/modules/registry';
import { WebhooksModule } from 'src/modules/webhooks';
import { ContributionsController } from './contributions.controller';
import { ContributionsService } from './contributions.service';

@Module({
  imports: [PrivacyModule, RegistryModule, WebhooksModule],
  controllers: [ContributionsController],
  providers: [ContributionsService],
  exports: [ContributionsService],
})
export class ContributionsModule {}
