export { ChainModule } from './chain.module';
export { ChainService, MintBatchInput, MintResult } from './chain.service';
export { ChainError, ChainErrorCode, decodeChainError } from './chain.errors';
export { ChainContractEntity } from './chain-contract.entity';
export { anvilBinary, EmbeddedAnvil, EmbeddedAnvilError } from './embedded-anvil';
