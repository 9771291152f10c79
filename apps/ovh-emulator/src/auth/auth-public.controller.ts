import { Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { OVH_HEADERS_LOWER } from '@app/ovh-protocol';
import { EMULATOR_OPTIONS, type ResolvedEmulatorOptions } from '../emulator-options';
import { branches } from '../http/branch-paths';
import { type EmulatorRequest, firstHeader } from '../http/emulator-request';
import { parseJsonObject } from '../http/json-body';
import { OvhHttpException } from '../http/ovh-http.exception';
import { EmulatorClock } from '../state/emulator-clock';
import { EmulatorStateService } from '../state/emulator-state.service';
import { parseCredentialRequest } from './credential-request';
import { OvhRoute } from './ovh-route.decorator';

@Controller()
@OvhRoute('unauthenticated')
export class AuthPublicController {
  constructor(
    private readonly clock: EmulatorClock,
    private readonly state: EmulatorStateService,
    @Inject(EMULATOR_OPTIONS) private readonly options: ResolvedEmulatorOptions,
  ) {}

  @Get(branches('auth/time'))
  time(): number {
    return this.clock.nowSec();
  }

  // Other auth headers are ignored: php-ovh signs this call when it already holds a CK (§1.8).
  @Post(branches('auth/credential', 'auth/credential/'))
  @HttpCode(200)
  requestCredential(@Req() req: EmulatorRequest) {
    const appKey = firstHeader(req, OVH_HEADERS_LOWER.application);
    const application = appKey ? this.state.applications.get(appKey) : undefined;
    if (!application || application.status === 'blocked') throw OvhHttpException.of('INVALID_KEY');
    const request = parseCredentialRequest(parseJsonObject(req));
    const credential = this.state.createCredential(
      application,
      request.accessRules,
      request.redirection,
      request.allowedIPs,
    );
    return {
      validationUrl: `${this.origin(req)}/auth/?credentialToken=${credential.credentialToken}`,
      consumerKey: credential.consumerKey,
      state: credential.status,
    };
  }

  private origin(req: EmulatorRequest): string {
    if (this.options.publicBaseUrl) return this.options.publicBaseUrl;
    const scheme = 'encrypted' in req.socket ? 'https' : 'http';
    return `${scheme}://${firstHeader(req, 'host') ?? '127.0.0.1'}`;
  }
}
