import { applyDecorators, Type } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class FieldErrorDto {
  @ApiProperty({ example: 'scopes[0]' }) field: string;
  @ApiProperty({ example: 'IS_IN' }) code: string;
  @ApiProperty({ example: 'each value in scopes must be one of the following values: ...' }) message: string;
}

/** RFC 9457 problem document, served as application/problem+json. */
export class ProblemDto {
  @ApiProperty({ example: '/problems/validation-failed' }) type: string;
  @ApiProperty({ example: 'Bad Request' }) title: string;
  @ApiProperty({ example: 400 }) status: number;
  @ApiProperty({ example: 'The request is not valid: check name.' }) detail: string;
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable, machine-readable error code' }) code: string;
  @ApiProperty({ example: '6f1c2d1e-7b7a-4c53-9d0e-2f0a4c1b9e11' }) requestId: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'One entry per invalid field' }) errors?: FieldErrorDto[];
  @ApiPropertyOptional({ description: 'Only on 500: quote it when reporting the error' }) errorId?: string;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (VALIDATION_FAILED with `errors`, MALFORMED_JSON, ...)',
  404: 'Not found',
  409: 'Conflict with the current state',
  410: 'Gone (the object is archived)',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Well-formed but not acceptable',
  429: 'Rate limited (RATE_LIMITED); see Retry-After',
  503: 'Not available right now',
};

/** The body of an error answer in the OpenAPI document. */
export const PROBLEM_CONTENT = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } };

/** Documents the problem+json answers a route can give. */
export const ApiProblems = (...statuses: number[]): MethodDecorator =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        content: PROBLEM_CONTENT,
      }),
    ),
  );

export class UuidParamDto {
  @ApiProperty({ format: 'uuid', description: 'The id', example: '0b4d3c5e-8f6a-4d2b-9c1e-7a5f3e2d1c0b' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

/**
 * The JSON body of a route with named examples, so that Try it out in Swagger UI starts from a request that works.
 * (ApiBody takes examples only with an explicit schema, hence the $ref and the extra model.)
 */
export const ApiJsonBody = (
  type: Type<unknown>,
  examples: Record<string, unknown>,
  options: { description?: string; required?: boolean } = {},
): MethodDecorator =>
  applyDecorators(
    ApiExtraModels(type),
    ApiBody({
      schema: { $ref: getSchemaPath(type) },
      required: options.required ?? true,
      description: options.description,
      examples: Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }])),
    }),
  );
