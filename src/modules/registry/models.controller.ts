import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Scopes } from 'src/platform/auth';
import { ApiJsonBody, ApiProblems, ProblemDto } from 'src/platform/http';
import {
  CreateModelDto,
  DeleteModelQueryDto,
  ListModelsQueryDto,
  ModelNameParamDto,
  ModelPageDto,
  ModelResponseDto,
  UpdateModelDto,
} from './models.dto';
import { ModelsService } from './models.service';
import { toModelDto } from './registry.mappers';

@ApiTags('models')
@ApiExtraModels(ProblemDto)
@Controller('api/v1/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Post()
  @Scopes('models:write')
  @ApiOperation({
    summary: 'Register a model',
    description: 'The model belongs to the owner of the calling key. Writes `model.registered`.',
  })
  @ApiCreatedResponse({ type: ModelResponseDto })
  @ApiProblems(400, 409, 429)
  @ApiJsonBody(CreateModelDto, {
    classifier: {
      name: 'churn',
      tokenId: 'CHURN',
      benchmarkMetric: 'accuracy',
      benchmarkValue: 0.81,
      labelColumn: 'churned',
      description: 'Predicts which customers leave',
    },
  })
  async create(@CurrentPrincipal() p: Principal, @Body() dto: CreateModelDto): Promise<ModelResponseDto> {
    return toModelDto(await this.models.create(p, dto));
  }

  @Get()
  @Scopes('models:read')
  @ApiOperation({
    summary: 'List models',
    description:
      'Newest first, filtered by token id, tag, owner, status and text. Private models of other owners are not listed.',
  })
  @ApiOkResponse({ type: ModelPageDto })
  @ApiProblems(400, 429)
  async list(@CurrentPrincipal() p: Principal, @Query() query: ListModelsQueryDto): Promise<ModelPageDto> {
    const page = await this.models.list(p, query);
    return { items: page.items.map(toModelDto), nextCursor: page.nextCursor };
  }

  @Get(':name')
  @Scopes('models:read')
  @ApiOperation({ summary: 'One model, with its aliases' })
  @ApiOkResponse({ type: ModelResponseDto })
  @ApiProblems(400, 404, 429)
  async get(@CurrentPrincipal() p: Principal, @Param() params: ModelNameParamDto): Promise<ModelResponseDto> {
    return toModelDto(await this.models.get(p, params.name));
  }

  @Patch(':name')
  @Scopes('models:write')
  @ApiOperation({ summary: 'Change a model (owner or admin)', description: 'Writes `model.updated`.' })
  @ApiOkResponse({ type: ModelResponseDto })
  @ApiProblems(400, 404, 410, 429)
  @ApiJsonBody(UpdateModelDto, {
    describe: { description: 'Churn model, retrained monthly', tags: ['churn', 'tabular'] },
  })
  async update(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelNameParamDto,
    @Body() dto: UpdateModelDto,
  ): Promise<ModelResponseDto> {
    return toModelDto(await this.models.update(p, params.name, dto));
  }

  @Delete(':name')
  @HttpCode(204)
  @Scopes('models:write')
  @ApiOperation({
    summary: 'Archive a model (owner or admin)',
    description:
      'Refused with 409 MODEL_IN_PRODUCTION while the model has a `production` alias, unless an admin passes `force=true`. Writes `model.archived`.',
  })
  @ApiNoContentResponse({ description: 'Archived' })
  @ApiProblems(400, 404, 409, 429)
  async archive(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelNameParamDto,
    @Query() query: DeleteModelQueryDto,
  ): Promise<void> {
    await this.models.archive(p, params.name, query.force ?? false);
  }
}
