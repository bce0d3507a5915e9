import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiJsonBody, ApiProblems, ProblemDto, UuidParamDto } from '../http/problem.dto';
import {
  ApiKeyPageDto,
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreatedApiKeyResponseDto,
  ListApiKeysQueryDto,
} from './api-keys.dto';
import { ApiKeysService } from './api-keys.service';
import { CurrentPrincipal, Scopes } from './decorators';
import { Principal } from './scopes';

@ApiTags('api-keys')
@ApiExtraModels(ProblemDto)
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @Scopes('keys:manage')
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'The key is in the answer once and never again. An admin may set `owner`; other keys create keys for their own owner, with at most their own scopes.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  @ApiProblems(400, 429)
  @ApiJsonBody(CreateApiKeyDto, { serving: { name: 'ci', scopes: ['models:read', 'predict'] } })
  async create(@CurrentPrincipal() actor: Principal, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyResponseDto> {
    const { entity, key } = await this.apiKeys.create(actor, dto);
    return { ...ApiKeyResponseDto.from(entity), key };
  }

  @Get()
  @Scopes('keys:manage')
  @ApiOperation({ summary: 'List API keys (an admin sees every owner, others their own owner)' })
  @ApiOkResponse({ type: ApiKeyPageDto })
  @ApiProblems(400, 429)
  async list(@CurrentPrincipal() actor: Principal, @Query() query: ListApiKeysQueryDto): Promise<ApiKeyPageDto> {
    const page = await this.apiKeys.list(actor, query);
    return { items: page.items.map(ApiKeyResponseDto.from), nextCursor: page.nextCursor };
  }

  @Get('current')
  @Scopes()
  @ApiOperation({ summary: 'The key making this request (any valid key)' })
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiProblems(429)
  async current(@CurrentPrincipal() actor: Principal): Promise<ApiKeyResponseDto> {
    return ApiKeyResponseDto.from(await this.apiKeys.get(actor, actor.keyId));
  }

  @Get(':id')
  @Scopes('keys:manage')
  @ApiOperation({ summary: 'One API key' })
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiProblems(400, 404, 429)
  async get(@CurrentPrincipal() actor: Principal, @Param() params: UuidParamDto): Promise<ApiKeyResponseDto> {
    return ApiKeyResponseDto.from(await this.apiKeys.get(actor, params.id));
  }

  @Delete(':id')
  @HttpCode(204)
  @Scopes('keys:manage')
  @ApiOperation({
    summary: 'Revoke an API key (it stops working at once on this replica, within AUTH_CACHE_TTL_MS on others)',
  })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiProblems(400, 404, 429)
  async revoke(@CurrentPrincipal() actor: Principal, @Param() params: UuidParamDto): Promise<void> {
    await this.apiKeys.revoke(actor, params.id);
  }
}
