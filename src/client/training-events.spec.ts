import { sseEvents, type TrainingEvent } from './training-events';

const streamOf = (...chunks: string[]): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
      controller.close();
    },
  });

const collect = async (body: ReadableStream<Uint8Array>): Promise<TrainingEvent[]> => {
  const events: TrainingEvent[] = [];
  for await (const e of sseEvents(body)) events.push(e);
  return events;
};

describe('sseEvents', () => {
  it('should yield each event with its parsed data when events are split across chunks', async () => {
    const events = await collect(
      streamOf(
        'event: status\ndata: {"status":"running"}\n\nevent: prog',
        'ress\ndata: {"iteration":3,"loss":0.5,"elapsedMs":12}\n',
        '\nevent: end\ndata: {"id":"r","status":"registered"}\n\n',
      ),
    );
    expect(events).toEqual([
      { event: 'status', data: { status: 'running' } },
      { event: 'progress', data: { iteration: 3, loss: 0.5, elapsedMs: 12 } },
      { event: 'end', data: { id: 'r', status: 'registered' } },
    ]);
  });

  it('should skip comments and leave out an unfinished last event when the stream closes mid-event', async () => {
    const events = await collect(
      streamOf(': keep-alive\n\nevent: status\ndata: {"status":"queued"}\n\nevent: end\ndata: {'),
    );
    expect(events).toEqual([{ event: 'status', data: { status: 'queued' } }]);
  });
});
