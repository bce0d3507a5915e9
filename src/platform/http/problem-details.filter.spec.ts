import { Logger, NotFoundException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors';
import { sendProblem } from './problem-details.filter';

function fakeReply() {
  const sent: { status?: number; type?: string; body?: Record<string, unknown> } = {};
  const reply = {
    sent: false,
    status(code: number) {
      sent.status = code;
      return reply;
    },
    type(t: string) {
      sent.type = t;
      return reply;
    },
    header() {
      return reply;
    },
    send(body: Record<string, unknown>) {
      sent.body = body;
      return reply;
    },
  };
  return { reply: reply as unknown as FastifyReply, sent };
}

const request = { id: 'req-1', method: 'GET', url: '/api/v1/x' } as FastifyRequest;

describe('sendProblem', () => {
  it('should show only an error id and log the full error when the error is unexpected', () => {
    const logger = { error: jest.fn() } as unknown as Logger;
    const { reply, sent } = fakeReply();
    sendProblem(new Error('db password is hunter2'), request, reply, logger);

    expect(sent.status).toBe(500);
    expect(sent.type).toBe('application/problem+json');
    expect(JSON.stringify(sent.body)).not.toContain('hunter2');
    expect(sent.body).toMatchObject({ code: 'INTERNAL_ERROR', requestId: 'req-1', errorId: expect.any(String) });
    const logged = (logger.error as jest.Mock).mock.calls[0][0];
    expect(logged).toMatchObject({ errorId: sent.body!.errorId, requestId: 'req-1' });
    expect(logged.error.message).toBe('db password is hunter2');
    expect(logged.error.stack).toContain('Error: db password is hunter2');
  });

  it('should map a domain error kind to its status when a module throws one', () => {
    const { reply, sent } = fakeReply();
    sendProblem(new DomainError('MODEL_EXISTS', 'conflict', 'taken', { name: 'churn' }), request, reply, new Logger());
    expect(sent.status).toBe(409);
    expect(sent.body).toMatchObject({
      code: 'MODEL_EXISTS',
      detail: 'taken',
      name: 'churn',
      type: '/problems/model-exists',
    });
  });

  it('should keep the HTTP status when Nest raises an HttpException', () => {
    const { reply, sent } = fakeReply();
    sendProblem(new NotFoundException('Cannot GET /x'), request, reply, new Logger());
    expect(sent.status).toBe(404);
    expect(sent.body).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it('should answer 503 DATABASE_UNAVAILABLE when the database connection is refused, broken or shutting down', () => {
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), {
      driverError: { code: '57P01' },
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    for (const err of [shutdown, refused, new Error('Connection terminated unexpectedly')]) {
      const { reply, sent } = fakeReply();
      sendProblem(err, request, reply, new Logger());
      expect(sent.status).toBe(503);
      expect(sent.body).toMatchObject({ code: 'DATABASE_UNAVAILABLE', requestId: 'req-1' });
    }
  });
});
