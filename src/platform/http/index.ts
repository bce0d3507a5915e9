export { createFastifyAdapter } from './fastify';
export { LargeBody } from './large-body';
export { addApiDescription, buildOpenApiDocument } from './openapi';
export { Page, PageQueryDto, paginate } from './pagination';
export { ApiProblems, ProblemDto, UuidParamDto } from './problem.dto';
export { PROBLEM_CONTENT_TYPE, ProblemDocument, toProblem } from './problem-details';
export { ProblemDetailsFilter } from './problem-details.filter';
export { configureApp } from './setup';
export { createValidationPipe, RequestValidationError } from './validation';
