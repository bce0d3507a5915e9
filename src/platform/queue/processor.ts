import { applyDecorators, Injectable, SetMetadata, Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { AppConfig } from '../config';
import { JobContext } from './queue.service';

export const PROCESSOR_KEY = 'queue:processor';

export interface ProcessorOptions<T extends object = object> {
  /** The class-validator DTO of the job's data, checked before `process` runs. */
  payload: Type<T>;
  /** Attempts after the first one (default 5). */
  retryLimit?: number;
  /** Seconds before the first retry (default 10), doubled with jitter each time unless `retryBackoff` is false. */
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  /** A job running longer than this is considered lost and retried (default 15 minutes). */
  expireInSeconds?: number;
  /** Jobs of this queue run at once in one process (default 1). */
  concurrency?: number;
  /** When false the queue is neither created nor worked in this process (default: always). */
  enabled?: (config: AppConfig) => boolean;
}

export interface ProcessorMetadata<T extends object = object> extends ProcessorOptions<T> {
  queue: string;
}

/**
 * Marks a provider as the processor of the durable jobs of `queue`: the queue module finds it at boot, creates the
 * queue with its retry settings and works it. The class extends JobProcessor and lives in `<job>.processor.ts`.
 */
export function Processor<T extends object>(queue: string, options: ProcessorOptions<T>): ClassDecorator {
  return applyDecorators(Injectable(), SetMetadata(PROCESSOR_KEY, { ...options, queue }));
}

/** The work of one queue's jobs. A throw fails the attempt, which is retried per the queue's settings. */
export abstract class JobProcessor<T extends object> {
  abstract process(job: JobContext<T>): Promise<void>;

  /**
   * The owner of the resource the job works on: that owner may read the job at GET /api/v1/jobs/{id}. Null (the
   * default) lets only admins read it.
   */
  ownerOf(_data: T): Promise<string | null> {
    return Promise.resolve(null);
  }
}

/** A job whose data does not match its processor's payload DTO: it fails at once, never retried. */
export class InvalidJobPayloadError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid job payload: ${problems.join('; ')}`);
    this.name = 'InvalidJobPayloadError';
  }
}

/** The job's data as an instance of `type`, or what is wrong with it. */
export async function checkPayload<T extends object>(
  type: Type<T>,
  data: unknown,
): Promise<{ payload: T } | { problems: string[] }> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { problems: ['the payload must be a JSON object'] };
  }
  const payload = plainToInstance(type, data);
  const errors = await validate(payload, { whitelist: true, forbidNonWhitelisted: true });
  return errors.length === 0 ? { payload } : { problems: errors.flatMap(messagesOf) };
}

function messagesOf(error: ValidationError): string[] {
  return [...Object.values(error.constraints ?? {}), ...(error.children ?? []).flatMap(messagesOf)];
}
