import { Module } from '@nestjs/common';
import { PrivacyModule } from 'src/modules/privacy';
import { RegistryModule } from 'src/modules/registry';
import { WebhooksModule } from 'src/modules/webhooks';
import { AuthModule } from 'src/platform/auth';
import { ContributionsController } from './contributions.controller';
import { ContributionsService } from './contributions.service';
import { ContributorRightsController } from './contributor-rights.controller';
import { ContributorRightsService } from './contributor-rights.service';
import { LargeUploadProcessor } from './large-upload.processor';

@Module({
  imports: [AuthModule, PrivacyModule, RegistryModule, WebhooksModule],
  controllers: [ContributionsController, ContributorRightsController],
  providers: [ContributionsService, ContributorRightsService, LargeUploadProcessor],
  exports: [ContributionsService],
})
export class ContributionsModule {}
