import { Logger } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Answered, DirectRoutes, LeanCall } from './direct-routes';
import { JsonText } from '../json';
import { RequestPipeline } from './request-pipeline';

const parseJson = (bytes: Buffer): unknown => JSON.parse(bytes.toString()) as unknown;

describe(DirectRoutes.name, () => {
  let server: Server;
  let base: string;
  let answered: Answered[];
  let fallbacks: string[];
  let direct: DirectRoutes;

  async function start(call: LeanCall): Promise<void> {
    answered = [];
    fallbacks = [];
    direct = new DirectRoutes(parseJson, new RequestPipeline((a) => answered.push(a), new Logger('test')));
    direct.add('/models/:name/run', { bodyLimit: 1024, rawJson: false, call });
    direct.setServing(true);
    server = createServer((req, res) => {
      if (direct.take(req, res)) return;
      fallbacks.push(req.url ?? '');
      res.writeHead(418).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const post = (path: string, body = '{"x":1}') =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body,
    });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('should pass the path parameters, query and parsed body to the route when the request is plain', async () => {
    await start((request) => Promise.resolve({ params: request.params, query: request.query, body: request.body }));
    const res = await post('/models/churn-1/run?version=2');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ params: { name: 'churn-1' }, query: { version: '2' }, body: { x: 1 } });
    expect(answered).toMatchObject([{ route: '/models/:name/run', status: 200 }]);
  });

  it('should leave the request to the next handler when a segment is percent-encoded or the route differs', async () => {
    await start(() => Promise.resolve({}));
    expect((await post('/models/a%2Fb/run')).status).toBe(418);
    expect((await post('/models/a/run/extra')).status).toBe(418);
    expect(fallbacks).toEqual(['/models/a%2Fb/run', '/models/a/run/extra']);
  });

  it('should answer a problem document and count it when the result cannot be serialized', async () => {
    await start(() => Promise.resolve({ n: 1n }));
    const res = await post('/models/m/run');
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(await res.json()).toMatchObject({ code: 'INTERNAL_ERROR', requestId: res.headers.get('x-request-id') });
    expect(answered).toMatchObject([{ status: 500 }]);
  });

  it('should send the text of a JsonText as it is when the route serialised its answer itself', async () => {
    await start(() => Promise.resolve(new JsonText('{"b":1,  "a":2}')));
    const res = await post('/models/m/run');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.text()).toBe('{"b":1,  "a":2}');
  });

  it('should leave every request to the next handler when it is not serving', async () => {
    await start(() => Promise.resolve({}));
    direct.setServing(false);
    expect((await post('/models/m/run')).status).toBe(418);
  });
});
