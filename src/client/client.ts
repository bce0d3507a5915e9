import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { ProblemError } from './problem-error';
import type { paths } from './schema';

export interface DeltaOneClientOptions {
  /** The server, for example `http://localhost:3000` (no `/api/v1`: the paths carry it). */
  baseUrl: string;
  /** An API key, sent as `Authorization: Bearer <key>`; omit it for public routes. */
  apiKey?: string;
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: typeof globalThis.fetch;
}

export type DeltaOneClient = Client<paths>;

/** Turns every non-2xx answer into a thrown ProblemError, so `data` is the answer whenever a call returns. */
const throwProblems: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await ProblemError.fromResponse(response);
    return undefined;
  },
};

/** A typed client of the DeltaOne API: paths, parameters, bodies and answers come from the committed openapi.json. */
export function createDeltaOneClient(options: DeltaOneClientOptions): DeltaOneClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : undefined,
    fetch: options.fetch,
  });
  client.use(throwProblems);
  return client;
}

/**
 * The answer of a call made with this client. openapi-fetch types `data` as possibly undefined (for error
 * answers), which cannot happen here since those throw; an answer with no body (204) gives undefined.
 */
export async function answer<T>(call: Promise<{ data?: T; error?: unknown }>): Promise<T> {
  const { data } = await call;
  return data as T;
}
