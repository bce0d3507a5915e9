import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Scopes } from 'src/platform/auth';
import { eventCatalogue } from 'src/platform/events';
import { ApiJsonBody, ApiProblems, PageQueryDto, UuidParamDto } from 'src/platform/http';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import {
  CreatedWebhookEndpointResponseDto,
  CreateWebhookEndpointDto,
  EventTypesResponseDto,
  ListDeliveriesQueryDto,
  MessageIdParamDto,
  RecoverDeliveriesDto,
  RecoverResponseDto,
  RotatedSecretResponseDto,
  TestEventResponseDto,
  UpdateWebhookEndpointDto,
  WebhookDeliveryDetailResponseDto,
  WebhookDeliveryPageDto,
  WebhookDeliveryResponseDto,
  WebhookEndpointPageDto,
  WebhookEndpointResponseDto,
  WebhookMessageResponseDto,
} from './webhooks.dto';
import { toAttemptDto, toDeliveryDto, toEndpointDto, toMessageDto } from './webhooks.mapper';

const OWNED = 'Endpoints belong to the owner of the API key that made them; another owner gets 404.';

@ApiTags('webhooks')
@Scopes('webhooks:admin')
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly deliveries: WebhookDeliveriesService,
  ) {}

  @Get('event-types')
  @ApiOperation({
    summary: 'The catalogue of event types',
    description: 'Every delivery body is `{id, type, timestamp, data}`; `data` per type is described here.',
  })
  @ApiOkResponse({ type: EventTypesResponseDto })
  @ApiProblems(429)
  eventTypes(): EventTypesResponseDto {
    return { items: eventCatalogue() };
  }

  @Post('endpoints')
  @ApiOperation({
    summary: 'Create a webhook endpoint',
    description: `The signing secret (\`whsec_...\`) is in this answer only. An admin key's endpoint receives every owner's events; other endpoints receive their owner's. ${OWNED}`,
  })
  @ApiCreatedResponse({ type: CreatedWebhookEndpointResponseDto })
  @ApiProblems(400, 429)
  @ApiJsonBody(CreateWebhookEndpointDto, {
    endpoint: {
      url: 'https://hooks.example.com/deltaone',
      eventTypes: ['model.promoted', 'contribution.processed'],
      description: 'Release notifications',
    },
  })
  async create(
    @CurrentPrincipal() p: Principal,
    @Body() dto: CreateWebhookEndpointDto,
  ): Promise<CreatedWebhookEndpointResponseDto> {
    const { entity, secret } = await this.endpoints.create(p, dto);
    return { ...toEndpointDto(entity), secret };
  }

  @Get('endpoints')
  @ApiOperation({ summary: "List webhook endpoints (an admin sees every owner's)" })
  @ApiOkResponse({ type: WebhookEndpointPageDto })
  @ApiProblems(400, 429)
  async list(@CurrentPrincipal() p: Principal, @Query() query: PageQueryDto): Promise<WebhookEndpointPageDto> {
    const page = await this.endpoints.list(p, query);
    return { items: page.items.map(toEndpointDto), nextCursor: page.nextCursor };
  }

  @Get('endpoints/:id')
  @ApiOperation({ summary: 'One webhook endpoint (never its secret)', description: OWNED })
  @ApiOkResponse({ type: WebhookEndpointResponseDto })
  @ApiProblems(400, 404, 429)
  async get(@CurrentPrincipal() p: Principal, @Param() params: UuidParamDto): Promise<WebhookEndpointResponseDto> {
    return toEndpointDto(await this.endpoints.get(p, params.id));
  }

  @Patch('endpoints/:id')
  @ApiOperation({
    summary: 'Change a webhook endpoint',
    description: `\`enabled: false\` disables it (its queued deliveries become failed); \`enabled: true\` enables it again and resets its breaker. ${OWNED}`,
  })
  @ApiOkResponse({ type: WebhookEndpointResponseDto })
  @ApiProblems(400, 404, 429)
  @ApiJsonBody(UpdateWebhookEndpointDto, { pause: { enabled: false }, retarget: { eventTypes: ['model.*'] } })
  async update(
    @CurrentPrincipal() p: Principal,
    @Param() params: UuidParamDto,
    @Body() dto: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointResponseDto> {
    return toEndpointDto(await this.endpoints.update(p, params.id, dto));
  }

  @Delete('endpoints/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook endpoint and its delivery log', description: OWNED })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(400, 404, 429)
  async remove(@CurrentPrincipal() p: Principal, @Param() params: UuidParamDto): Promise<void> {
    await this.endpoints.remove(p, params.id);
  }

  @Post('endpoints/:id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate the signing secret',
    description:
      'Returns the new secret (shown only here). For WEBHOOK_SECRET_ROTATION_HOURS (24 h by default) deliveries carry two signatures, with the old and the new secret, space-separated in `webhook-signature`.',
  })
  @ApiOkResponse({ type: RotatedSecretResponseDto })
  @ApiProblems(400, 404, 429)
  async rotate(@CurrentPrincipal() p: Principal, @Param() params: UuidParamDto): Promise<RotatedSecretResponseDto> {
    const r = await this.endpoints.rotateSecret(p, params.id);
    return { secret: r.secret, previousSecretExpiresAt: r.previousSecretExpiresAt?.toISOString() ?? null };
  }

  @Post('endpoints/:id/test')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a webhook.test event to this endpoint',
    description:
      "Goes through the normal delivery path (signed, logged, retried). The answer never contains the receiver's response; see the delivery log.",
  })
  @ApiAcceptedResponse({ type: TestEventResponseDto })
  @ApiProblems(400, 404, 409, 429)
  sendTest(@CurrentPrincipal() p: Principal, @Param() params: UuidParamDto): Promise<TestEventResponseDto> {
    return this.endpoints.sendTest(p, params.id);
  }

  @Post('endpoints/:id/recover')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Re-queue every failed delivery of this endpoint since a time',
    description: 'Each gets a fresh retry schedule; messages keep their webhook-id.',
  })
  @ApiAcceptedResponse({ type: RecoverResponseDto })
  @ApiProblems(400, 404, 409, 429)
  @ApiJsonBody(RecoverDeliveriesDto, { lastDay: { since: '2026-12-05T00:00:00Z' } })
  async recover(
    @CurrentPrincipal() p: Principal,
    @Param() params: UuidParamDto,
    @Body() dto: RecoverDeliveriesDto,
  ): Promise<RecoverResponseDto> {
    return { requeued: await this.endpoints.recover(p, params.id, dto.since, dto.until) };
  }

  @Get('endpoints/:id/deliveries')
  @ApiOperation({ summary: "An endpoint's deliveries, newest first", description: OWNED })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiProblems(400, 404, 429)
  async listDeliveries(
    @CurrentPrincipal() p: Principal,
    @Param() params: UuidParamDto,
    @Query() query: ListDeliveriesQueryDto,
  ): Promise<WebhookDeliveryPageDto> {
    const page = await this.deliveries.listForEndpoint(p, params.id, query);
    const max = this.deliveries.maxAttempts;
    return { items: page.items.map((d) => toDeliveryDto(d, max)), nextCursor: page.nextCursor };
  }

  @Get('deliveries/:id')
  @ApiOperation({
    summary: 'One delivery with every attempt (time, status code, duration, error, first 4 KB of the answer)',
  })
  @ApiOkResponse({ type: WebhookDeliveryDetailResponseDto })
  @ApiProblems(400, 404, 429)
  async getDelivery(
    @CurrentPrincipal() p: Principal,
    @Param() params: UuidParamDto,
  ): Promise<WebhookDeliveryDetailResponseDto> {
    const d = await this.deliveries.get(p, params.id);
    const attempts = await this.deliveries.attemptsOf(d.id);
    return { ...toDeliveryDto(d, this.deliveries.maxAttempts), attemptLog: attempts.map(toAttemptDto) };
  }

  @Post('deliveries/:id/replay')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Replay a delivered or failed delivery',
    description:
      'Re-sends the same message: the same webhook-id, a new webhook-timestamp and signature, a fresh retry schedule.',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryResponseDto })
  @ApiProblems(400, 404, 409, 429)
  async replay(@CurrentPrincipal() p: Principal, @Param() params: UuidParamDto): Promise<WebhookDeliveryResponseDto> {
    return toDeliveryDto(await this.deliveries.replay(p, params.id), this.deliveries.maxAttempts);
  }

  @Get('messages/:msgId')
  @ApiOperation({
    summary: 'A message (the whole event) and its deliveries',
    description: "The link in a truncated payload's data.url points here. Another owner's message is 404.",
  })
  @ApiOkResponse({ type: WebhookMessageResponseDto })
  @ApiProblems(400, 404, 429)
  async message(
    @CurrentPrincipal() p: Principal,
    @Param() params: MessageIdParamDto,
  ): Promise<WebhookMessageResponseDto> {
    const { message, deliveries } = await this.deliveries.message(p, params.msgId);
    return toMessageDto(message, deliveries, this.deliveries.maxAttempts);
  }
}
