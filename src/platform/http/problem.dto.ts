import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
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

/** Documents the problem+json answers a route can give. */
export const ApiProblems = (...statuses: number[]): MethodDecorator =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
      }),
    ),
  );

export class UuidParamDto {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}
