import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Scopes } from 'src/platform/auth';
import { ApiJsonBody, ApiProblems, ProblemDto } from 'src/platform/http';
import {
  AliasHistoryPageDto,
  AliasHistoryQueryDto,
  AliasListDto,
  AliasParamDto,
  AliasResponseDto,
  ProductionChangeDto,
  VersionBodyDto,
} from './aliases.dto';
import { AliasesService, AliasMove } from './aliases.service';
import { ModelNameParamDto } from './models.dto';
import { toAliasDto, toHistoryDto } from './registry.mappers';

const toChange = (m: AliasMove): ProductionChangeDto => ({
  modelName: m.model.name,
  alias: m.alias.alias,
  version: m.alias.version,
  previousVersion: m.previousVersion,
});

@ApiTags('models')
@ApiExtraModels(ProblemDto)
@Controller('api/v1/models/:name')
export class AliasesController {
  constructor(private readonly aliases: AliasesService) {}

  @Get('aliases')
  @Scopes('models:read')
  @ApiOperation({ summary: 'Every alias of a model' })
  @ApiOkResponse({ type: AliasListDto })
  @ApiProblems(400, 404, 429)
  async list(@CurrentPrincipal() p: Principal, @Param() params: ModelNameParamDto): Promise<AliasListDto> {
    const { model, aliases } = await this.aliases.list(p, params.name);
    return { items: aliases.map((a) => toAliasDto(model, a)) };
  }

  @Put('aliases/:alias')
  @Scopes('models:write')
  @ApiOperation({
    summary: 'Create or move an alias (owner or admin)',
    description:
      'Alias names match `^[\\w-]{1,256}$`; `latest` and `v<digits>` are reserved. Every change is kept in the alias history. Moving `production` writes `model.promoted`, other aliases `model.alias.updated`.',
  })
  @ApiOkResponse({ type: AliasResponseDto })
  @ApiProblems(400, 404, 410, 429)
  @ApiJsonBody(VersionBodyDto, { version: { version: 1 } })
  async set(
    @CurrentPrincipal() p: Principal,
    @Param() params: AliasParamDto,
    @Body() body: VersionBodyDto,
  ): Promise<AliasResponseDto> {
    const moved = await this.aliases.set(p, params.name, params.alias, body.version);
    return toAliasDto(moved.model, moved.alias);
  }

  @Get('aliases/:alias')
  @Scopes('models:read')
  @ApiOperation({ summary: 'The version an alias points at' })
  @ApiOkResponse({ type: AliasResponseDto })
  @ApiProblems(400, 404, 429)
  async get(@CurrentPrincipal() p: Principal, @Param() params: AliasParamDto): Promise<AliasResponseDto> {
    const { model, alias } = await this.aliases.get(p, params.name, params.alias);
    return toAliasDto(model, alias);
  }

  @Delete('aliases/:alias')
  @HttpCode(204)
  @Scopes('models:write')
  @ApiOperation({ summary: 'Delete an alias (owner or admin)', description: 'Writes `model.alias.deleted`.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(400, 404, 410, 429)
  async delete(@CurrentPrincipal() p: Principal, @Param() params: AliasParamDto): Promise<void> {
    await this.aliases.delete(p, params.name, params.alias);
  }

  @Get('alias-history')
  @Scopes('models:read')
  @ApiOperation({ summary: 'Every alias change of a model, newest first: who, when, from, to' })
  @ApiOkResponse({ type: AliasHistoryPageDto })
  @ApiProblems(400, 404, 429)
  async history(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelNameParamDto,
    @Query() query: AliasHistoryQueryDto,
  ): Promise<AliasHistoryPageDto> {
    const page = await this.aliases.history(p, params.name, query);
    return { items: page.items.map(toHistoryDto), nextCursor: page.nextCursor };
  }

  @Post('promote')
  @HttpCode(200)
  @Scopes('models:write')
  @ApiOperation({
    summary: 'Point `production` at a version (owner or admin)',
    description: 'Writes `model.promoted`.',
  })
  @ApiOkResponse({ type: ProductionChangeDto })
  @ApiProblems(400, 404, 410, 429)
  @ApiJsonBody(VersionBodyDto, { version: { version: 1 } })
  async promote(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelNameParamDto,
    @Body() body: VersionBodyDto,
  ): Promise<ProductionChangeDto> {
    return toChange(await this.aliases.promote(p, params.name, body.version));
  }

  @Post('rollback')
  @HttpCode(200)
  @Scopes('models:write')
  @ApiOperation({
    summary: 'Point `production` back at the version that held it before (owner or admin)',
    description:
      'Only a version that was production before can be the target; repeated rollbacks walk further back. 409 NO_ROLLBACK_TARGET when there is none. Writes `model.rolled_back`.',
  })
  @ApiOkResponse({ type: ProductionChangeDto })
  @ApiProblems(400, 404, 409, 410, 429)
  async rollback(@CurrentPrincipal() p: Principal, @Param() params: ModelNameParamDto): Promise<ProductionChangeDto> {
    return toChange(await this.aliases.rollback(p, params.name));
  }
}
