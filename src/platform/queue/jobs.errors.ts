import { errorFamily } from '../errors';

export class JobError extends errorFamily({
  JOB_NOT_FOUND: 'not_found',
}) {}
