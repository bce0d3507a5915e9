import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { rm } from 'node:fs/promises';
import {
  ApiAcceptedResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Scopes } from 'src/platform/auth';
import { AppConfig } from 'src/platform/config';
import {
  ApiJsonBody,
  ApiProblems,
  createValidationPipe,
  LargeBody,
  PageQueryDto,
  ProblemDto,
  UuidParamDto,
} from 'src/platform/http';
import { claimIdempotencyKey, Idempotent } from 'src/platform/idempotency';
import {
  ContributionAcceptedResponseDto,
  ContributionPageDto,
  ContributionResponseDto,
  ContributionSettingsResponseDto,
  LifecycleResponseDto,
  MAX_ROWS_PER_CONTRIBUTION,
  ModelNameParamDto,
  SubmitContributionDto,
  UpdateContributionSettingsDto,
  WalletParamDto,
} from './contributions.dto';
import { readContributionUpload, uploadToBody } from './contribution-upload';
import { toContributionDto, toLifecycleDto } from './contributions.mapper';
import { ContributionsService } from './contributions.service';

const VALIDATION = createValidationPipe();

async function validated(body: unknown): Promise<SubmitContributionDto> {
  return (await VALIDATION.transform(body, { type: 'body', metatype: SubmitContributionDto })) as SubmitContributionDto;
}

const VISIBLE =
  'A contribution is visible to the owner of the key that made it, the model owner and admins; others get 404.';

@ApiTags('contributions')
@ApiExtraModels(ProblemDto)
@Controller('api/v1')
export class ContributionsController {
  constructor(
    private readonly contributions: ContributionsService,
    private readonly config: AppConfig,
  ) {}

  @Post('models/:name/contributions')
  @HttpCode(201)
  @Scopes('contributions:write')
  @LargeBody()
  @Idempotent()
  @ApiOperation({
    summary: 'Contribute rows to a model',
    description:
      'Rows are checked against the production version features plus the model label column (bad rows are listed ' +
      'and left out), scanned for PII per the model policy, hashed, deduplicated against the model data and ' +
      'scored. States received → validating → accepted | rejected; `contribution.received` and ' +
      '`contribution.processed` are published with the state changes. A contribution scoring below the model ' +
      'minimum is answered 201 with status rejected (LOW_QUALITY). Errors: INVALID_WALLET, SIGNATURE_REQUIRED, ' +
      'SIGNATURE_INVALID (400), SIGNATURE_STALE, NO_FEATURE_SCHEMA, NO_ACCEPTABLE_ROWS (with `rowErrors`), ' +
      'PII_DETECTED (with `findings` by row, column and type; never the value) (422).',
  })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiJsonBody(
    SubmitContributionDto,
    {
      rows: {
        rows: [
          { tenure: 12, plan: 2, churned: 0 },
          { tenure: 3, plan: 1, churned: 1 },
        ],
        contributor: { walletAddress: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' },
        license: 'CC-BY-4.0',
      },
    },
    {
      description:
        'JSON as described, or `multipart/form-data` with the rows in the part `file` (.csv with a header row, .jsonl ' +
        'or .json, up to MAX_CONTRIBUTION_MB; more than 10,000 rows: 202 and a durable job that processes the file ' +
        'in chunks of 5,000 rows; CSV cells are typed by the model schema: an empty cell is null, a numeric ' +
        'column cell must read as a number (else NOT_A_NUMBER), string features stay text, an integer class label ' +
        'is a number) and the fields `walletAddress`, `signature`, `signedAt`, `license` and `metadata` (JSON). ' +
        'Idempotency-Key works on multipart too: the request is identified by the sha256 of the file bytes and ' +
        'the form fields.',
    },
  )
  @ApiCreatedResponse({ type: ContributionResponseDto })
  @ApiAcceptedResponse({
    type: ContributionAcceptedResponseDto,
    description: 'A multipart file of more than 10,000 rows: stored and processed by a durable job; poll statusUrl',
  })
  @ApiProblems(400, 404, 413, 422, 429)
  async submit(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelNameParamDto,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ContributionResponseDto | ContributionAcceptedResponseDto> {
    const key = request.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' ? key : undefined;
    if (!request.isMultipart()) {
      return toContributionDto(await this.contributions.submit(p, params.name, await validated(body), idempotencyKey));
    }
    const upload = await readContributionUpload(
      request,
      this.config.MAX_CONTRIBUTION_MB * 1024 * 1024,
      MAX_ROWS_PER_CONTRIBUTION,
    );
    try {
      // A multipart request is identified by its file's bytes and its form fields (see @Idempotent()).
      await claimIdempotencyKey(request, { file: upload.sha256, fields: upload.fields });
      if (!upload.large) {
        const dto = await validated(uploadToBody(upload));
        const input = { ...dto, textCells: upload.textCells };
        return toContributionDto(await this.contributions.submit(p, params.name, input, idempotencyKey));
      }
      // Validate the form fields as a one-row JSON contribution would be; the rows are checked by the job.
      const dto = await validated({ ...uploadToBody(upload), rows: [{}] });
      const c = await this.contributions.submitLarge(p, params.name, dto, upload.large, idempotencyKey);
      void reply.status(202);
      return { ...toContributionDto(c), statusUrl: `/api/v1/contributions/${c.id}` };
    } finally {
      if (upload.large) await rm(upload.large.path, { force: true });
    }
  }

  @Get('models/:name/contributions')
  @Scopes('contributions:read')
  @ApiOperation({ summary: "List a model's contributions (newest first)", description: VISIBLE })
  @ApiOkResponse({ type: ContributionPageDto })
  @ApiProblems(400, 404, 429)
  async listForModel(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelNameParamDto,
    @Query() query: PageQueryDto,
  ): Promise<ContributionPageDto> {
    const page = await this.contributions.listForModel(p, params.name, query);
    return { items: page.items.map(toContributionDto), nextCursor: page.nextCursor };
  }

  @Get('models/:name/contribution-settings')
  @Scopes('models:read')
  @ApiOperation({ summary: "A model's contribution settings (PII policy, minimum quality, signature)" })
  @ApiOkResponse({ type: ContributionSettingsResponseDto })
  @ApiProblems(400, 404, 429)
  getSettings(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelNameParamDto,
  ): Promise<ContributionSettingsResponseDto> {
    return this.contributions.getSettings(p, params.name);
  }

  @Put('models/:name/contribution-settings')
  @Scopes('models:write')
  @ApiOperation({
    summary: "Change a model's contribution settings",
    description: 'Model owner or admin only. Defaults: piiPolicy reject, minQuality 0.8, requireSignature false.',
  })
  @ApiOkResponse({ type: ContributionSettingsResponseDto })
  @ApiProblems(400, 403, 404, 429)
  @ApiJsonBody(UpdateContributionSettingsDto, {
    strict: { piiPolicy: 'reject', minQuality: 0.6, requireSignature: true },
  })
  updateSettings(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelNameParamDto,
    @Body() dto: UpdateContributionSettingsDto,
  ): Promise<ContributionSettingsResponseDto> {
    return this.contributions.updateSettings(p, params.name, dto);
  }

  @Get('contributions/:id')
  @Scopes('contributions:read')
  @ApiOperation({
    summary: 'One contribution, with its quality report, PII summary, counts and hash',
    description: VISIBLE,
  })
  @ApiOkResponse({ type: ContributionResponseDto })
  @ApiProblems(400, 404, 429)
  async get(@CurrentPrincipal() p: Principal, @Param() params: UuidParamDto): Promise<ContributionResponseDto> {
    return toContributionDto(await this.contributions.get(p, params.id));
  }

  @Get('contributions/:id/lifecycle')
  @Scopes('contributions:read')
  @ApiOperation({ summary: 'The states a contribution went through, each with its time', description: VISIBLE })
  @ApiOkResponse({ type: LifecycleResponseDto })
  @ApiProblems(400, 404, 429)
  async lifecycle(@CurrentPrincipal() p: Principal, @Param() params: UuidParamDto): Promise<LifecycleResponseDto> {
    return toLifecycleDto(await this.contributions.get(p, params.id));
  }

  @Get('contributors/:walletAddress/contributions')
  @Scopes('contributions:read')
  @ApiOperation({ summary: "List a wallet's contributions (newest first)", description: VISIBLE })
  @ApiOkResponse({ type: ContributionPageDto })
  @ApiProblems(400, 429)
  async listForWallet(
    @CurrentPrincipal() p: Principal,
    @Param() params: WalletParamDto,
    @Query() query: PageQueryDto,
  ): Promise<ContributionPageDto> {
    const page = await this.contributions.listForWallet(p, params.walletAddress, query);
    return { items: page.items.map(toContributionDto), nextCursor: page.nextCursor };
  }
}
