import { Module } from '@nestjs/common';
import { ContributionsModule } from 'src/modules/contributions';
import { RegistryModule } from 'src/modules/registry';
import { AwardProcessor } from './award.processor';
import { AwardService } from './award.service';
import { MintProcessor } from './mint.processor';
import { MintService } from './mint.service';
import { RewardsMetrics } from './rewards.metrics';
import { RewardSettingsService } from './reward-settings.service';
import { RewardsController } from './rewards.controller';
import { RewardsService } from './rewards.service';

@Module({
  imports: [RegistryModule, ContributionsModule],
  controllers: [RewardsController],
  providers: [
    RewardSettingsService,
    AwardService,
    MintService,
    RewardsService,
    AwardProcessor,
    MintProcessor,
    RewardsMetrics,
  ],
  exports: [AwardService, MintService, RewardsService, RewardSettingsService],
})
export class RewardsModule {}
