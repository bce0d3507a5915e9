import { IsUUID } from 'class-validator';
import { TxHost } from 'src/platform/database';
import { JobContext, JobProcessor, Processor } from 'src/platform/queue';
import { REWARDS_MINT_QUEUE } from './award.service';
import { MintService } from './mint.service';
import { RewardEntity } from './reward.entity';

export class MintJobDto {
  @IsUUID()
  rewardId: string;
}

/**
 * Mints one reward. A chain that is down or a mint waiting for confirmations fails the attempt and it is tried
 * again every 15 s, for as long as it takes (a million attempts: about six months): the reward stays pending
 * meanwhile and is never lost.
 */
@Processor(REWARDS_MINT_QUEUE, {
  payload: MintJobDto,
  retryLimit: 1_000_000,
  retryDelaySeconds: 15,
  retryBackoff: false,
  // A process without a chain client leaves the mints to one that has it.
  enabled: (config) => config.CHAIN_ENABLED,
})
export class MintProcessor extends JobProcessor<MintJobDto> {
  constructor(
    private readonly mints: MintService,
    private readonly txHost: TxHost,
  ) {
    super();
  }

  async process(job: JobContext<MintJobDto>): Promise<void> {
    await this.mints.run(job.data.rewardId);
  }

  override async ownerOf(data: MintJobDto): Promise<string | null> {
    const r = await this.txHost.tx.getRepository(RewardEntity).findOneBy({ id: data.rewardId });
    return r?.modelOwner ?? null;
  }
}
