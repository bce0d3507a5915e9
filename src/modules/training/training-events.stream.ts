import type { FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { toTrainingRunDto } from './training.dto';
import { FINAL_STATUSES } from './training-run.entity';
import { TrainingRunsService } from './training-runs.service';

/** How often the stream reads the stored run: it works on any replica, whichever runs the job. */
export const STREAM_POLL_MS = 250;

/**
 * Writes the run's status changes and progress as Server-Sent Events until it reaches a final state (then `end`
 * with the run) or the client goes away. The reply is hijacked: Nest and Fastify no longer touch it.
 */
export async function streamRunEvents(
  runs: TrainingRunsService,
  id: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': String(request.id),
  });
  let closed = false;
  request.raw.on('close', () => (closed = true));
  const send = (event: string, data: unknown) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  let status = '';
  let progress = '';
  try {
    while (!closed) {
      const run = await runs.snapshot(id);
      if (!run) break;
      if (run.status !== status) {
        status = run.status;
        send('status', { status });
      }
      const p = JSON.stringify(run.progress);
      if (run.progress && p !== progress) {
        progress = p;
        send('progress', run.progress);
      }
      if (FINAL_STATUSES.includes(run.status)) {
        send('end', toTrainingRunDto(run));
        break;
      }
      await sleep(STREAM_POLL_MS);
    }
  } finally {
    raw.end();
  }
}
