export { AcceptedDeltaOne, AcceptedVersionRef, REWARDS_AWARD_QUEUE } from './deltaone.contract';
