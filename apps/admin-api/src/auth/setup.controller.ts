import { Body, Controller, Injectable, Logger, OnApplicationBootstrap, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { auditContextFrom } from '@app/audit';
import { Public, SetupService } from '@app/operators';
import { OperatorDto } from '../operators/operators.dto';
import { SetupRequestDto } from './auth.dto';

@ApiTags('auth')
@Controller('setup')
export class SetupController {
  constructor(private readonly setup: SetupService) {}

  @Public()
  @Post()
  @ApiCreatedResponse({ type: OperatorDto, description: 'The first admin; 409 once any operator exists' })
  create(@Req() req: Request, @Body() body: SetupRequestDto): Promise<OperatorDto> {
    const { setupToken, ...input } = body;
    return this.setup.complete(setupToken, input, auditContextFrom(req));
  }
}

// Prints the one-time setup token at start while no operator exists. It goes to
// stderr as a plain banner, not through the structured logger: the logger scrubs
// every ob*_ token (so it would print obs_[redacted]), and log shippers should not
// index it. The structured log only says that a token was printed.
@Injectable()
export class SetupTokenAnnouncer implements OnApplicationBootstrap {
  private readonly logger = new Logger('Setup');

  constructor(private readonly setup: SetupService) {}

  async onApplicationBootstrap(): Promise<void> {
    const token = await this.setup.issueTokenIfNeeded();
    if (!token) return;
    process.stderr.write(
      `\nNo operator exists yet. Create the first admin with POST /api/v1/setup and this one-time setup token:\n\n` +
        `    ${token}\n\n(or run: npm run cli -- operators:create-admin --email ... --name ...)\n\n`,
    );
    this.logger.warn(
      'No operator exists yet: a one-time setup token was printed on stderr (POST /api/v1/setup)',
    );
  }
}
