export { RewardsModule } from './rewards.module';
export { AwardService, REWARDS_MINT_QUEUE } from './award.service';
export { MintNotFinished, MintService } from './mint.service';
export { RewardsService } from './rewards.service';
export { RewardSettingsService } from './reward-settings.service';
export { attestationHash, mintKey, recoverAttester } from './attestation';
export { RewardEntity, RewardRecipient, RewardStatus, REWARD_STATUSES } from './reward.entity';
export { RewardSettingsEntity } from './reward-settings.entity';
export { REWARDS_EVENTS, RewardFailedEvent, RewardMintedEvent } from './rewards.events';
