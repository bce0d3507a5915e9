import { endpointReceives, SubscribedEndpoint } from './webhook-dispatcher.processor';

const endpoint = (over: Partial<SubscribedEndpoint>): SubscribedEndpoint => ({
  id: 'e',
  owner: 'acme',
  allOwners: false,
  eventTypes: ['*'],
  modelNames: null,
  breakerState: 'closed',
  breakerRetryAt: null,
  ...over,
});

describe('webhook fan-out rules', () => {
  it("should deliver an owner's events only to that owner's endpoints and to admin endpoints", () => {
    const ev = { type: 'model.promoted', modelName: 'churn', owner: 'acme' };
    expect(endpointReceives(endpoint({}), ev)).toBe(true);
    expect(endpointReceives(endpoint({ owner: 'other' }), ev)).toBe(false);
    expect(endpointReceives(endpoint({ owner: 'admin', allOwners: true }), ev)).toBe(true);
    expect(endpointReceives(endpoint({}), { ...ev, owner: null })).toBe(false);
  });

  it('should match exact types, prefixes and * when filtering by event type', () => {
    const ev = { type: 'model.version.created', modelName: null, owner: 'acme' };
    expect(endpointReceives(endpoint({ eventTypes: ['model.version.created'] }), ev)).toBe(true);
    expect(endpointReceives(endpoint({ eventTypes: ['model.*'] }), ev)).toBe(true);
    expect(endpointReceives(endpoint({ eventTypes: ['model.promoted', 'deltaone.*'] }), ev)).toBe(false);
    expect(endpointReceives(endpoint({ eventTypes: ['mod.*'] }), ev)).toBe(false);
  });

  it('should filter events about a model by modelNames and let other events through', () => {
    const e = endpoint({ modelNames: ['churn'] });
    expect(endpointReceives(e, { type: 'model.promoted', modelName: 'churn', owner: 'acme' })).toBe(true);
    expect(endpointReceives(e, { type: 'model.promoted', modelName: 'fraud', owner: 'acme' })).toBe(false);
    expect(endpointReceives(e, { type: 'webhook.endpoint.disabled', modelName: null, owner: 'acme' })).toBe(true);
  });
});
