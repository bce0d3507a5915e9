import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNumber, Matches } from 'class-validator';
import { CurrentPrincipal, Principal, Scopes } from 'src/platform/auth';
import { ApiJsonBody, ApiProblems } from 'src/platform/http';
import { OutcomesService } from './outcomes.service';

export class OutcomeDto {
  @ApiProperty({ example: 1, description: '0 or 1 for a proportion metric, any number for a continuous one' })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'value must be a finite number' })
  value: number;
}

export class RequestIdParamDto {
  @ApiProperty({ example: 'req-01J...', description: 'The requestId of a predict answer (or its X-Request-Id)' })
  @Matches(/^[\w.:-]{1,100}$/, { message: 'requestId must be a request id this server answered' })
  requestId: string;
}

export class OutcomeResponseDto {
  @ApiProperty() requestId: string;
  @ApiProperty({ format: 'uuid' }) experimentId: string;
  @ApiProperty({ example: 'treatment' }) variant: string;
  @ApiProperty({ example: 1 }) value: number;
  @ApiProperty({ description: 'False when the same value was recorded before' }) created: boolean;
}

@ApiTags('experiments')
@Controller('api/v1/predictions')
export class OutcomesController {
  constructor(private readonly outcomes: OutcomesService) {}

  @Post(':requestId/outcome')
  @HttpCode(200)
  @Scopes('predict')
  @ApiOperation({
    summary: 'Report the outcome of a prediction an experiment routed',
    description:
      'Idempotent per request id: the same value again answers 200 with `created: false`; a different value answers 409 OUTCOME_CONFLICT. 404 PREDICTION_NOT_FOUND for a request id no experiment routed (or one of another owner). The key that asked for the prediction, the experiment owner or an admin may report it.',
  })
  @ApiOkResponse({ type: OutcomeResponseDto })
  @ApiProblems(400, 404, 409, 429)
  @ApiJsonBody(OutcomeDto, { converted: { value: 1 }, revenue: { value: 12.5 } })
  async record(
    @CurrentPrincipal() p: Principal,
    @Param() params: RequestIdParamDto,
    @Body() body: OutcomeDto,
  ): Promise<OutcomeResponseDto> {
    return this.outcomes.record(p, params.requestId, body.value);
  }
}
