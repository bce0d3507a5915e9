import { answer, type DeltaOneClient } from './client';
import type { components } from './schema';

export type TrainingRun = components['schemas']['TrainingRunDto'];
export type TrainingProgress = components['schemas']['TrainingProgressDto'];

/** One Server-Sent Event of a training run's stream. */
export type TrainingEvent =
  | { event: 'status'; data: { status: TrainingRun['status'] } }
  | { event: 'progress'; data: TrainingProgress }
  | { event: 'end'; data: TrainingRun };

/**
 * Follows `GET /api/v1/training-runs/{id}/events` until its `end` event and resolves to the run in its final
 * state, calling `onEvent` for each event on the way. A stream that closes without `end` (a proxy timeout, a
 * restarted replica) is answered from `GET /api/v1/training-runs/{id}` instead when the run is final, else
 * followed again.
 */
export async function followTrainingRun(
  client: DeltaOneClient,
  id: string,
  onEvent: (event: TrainingEvent) => void = () => undefined,
): Promise<TrainingRun> {
  for (;;) {
    const stream = await answer(
      client.GET('/api/v1/training-runs/{id}/events', { params: { path: { id } }, parseAs: 'stream' }),
    );
    if (stream) {
      for await (const event of sseEvents(stream as ReadableStream<Uint8Array>)) {
        onEvent(event);
        if (event.event === 'end') return event.data;
      }
    }
    const run = await answer(client.GET('/api/v1/training-runs/{id}', { params: { path: { id } } }));
    if (['registered', 'failed', 'cancelled'].includes(run.status)) return run;
  }
}

/** Parses a text/event-stream body into its events (`event:` and `data:` lines, blank-line separated). */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<TrainingEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length > 0) yield { event, data: JSON.parse(data.join('\n')) as unknown } as TrainingEvent;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
