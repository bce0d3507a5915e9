/** One invalid field of a problem (VALIDATION_FAILED and friends). */
export interface ProblemFieldError {
  field: string;
  code?: string;
  message: string;
}

/** The problem+json body every error of the server carries (RFC 9457 plus `code`, `requestId`, `errors`). */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail: string;
  requestId?: string;
  errors?: ProblemFieldError[];
  [extension: string]: unknown;
}

/** An error answer of the server, with its stable `code`: what the client throws for any non-2xx answer. */
export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: ProblemFieldError[];
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(`${problem.code}: ${problem.detail}`);
    this.name = 'ProblemError';
    this.problem = problem;
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
  }

  /**
   * Reads an error answer. Answers that are not problem+json (the Open Inference Protocol's `{ error }`, a proxy's
   * HTML page) still become a ProblemError, with the code `HTTP_<status>`, so callers handle one kind of error.
   */
  static async fromResponse(response: Response): Promise<ProblemError> {
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (type.includes('problem+json') && isProblem(body)) {
      return new ProblemError({ ...body, status: body.status ?? response.status });
    }
    const detail =
      isRecord(body) && typeof body.error === 'string' ? body.error : text.slice(0, 500) || response.statusText;
    return new ProblemError({ status: response.status, code: `HTTP_${response.status}`, detail });
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isProblem(v: unknown): v is Problem {
  return isRecord(v) && typeof v.code === 'string' && typeof v.detail === 'string';
}
