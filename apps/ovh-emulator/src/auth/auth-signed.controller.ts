import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { credentialView } from '../api-views';
import type { OvhAuthContext } from '../http/emulator-request';
import { branches } from '../http/branch-paths';
import { EmulatorStateService } from '../state/emulator-state.service';
import { OvhAuth, OvhRoute } from './ovh-route.decorator';

@Controller()
@OvhRoute('signed')
export class AuthSignedController {
  constructor(private readonly state: EmulatorStateService) {}

  @Get(branches('auth/currentCredential'))
  currentCredential(@OvhAuth() auth: OvhAuthContext) {
    return credentialView(auth.credential);
  }

  @Get(branches('auth/details'))
  details(@OvhAuth() auth: OvhAuthContext) {
    return {
      account: auth.account.nichandle,
      allowedRoutes: auth.credential.rules,
      description: auth.application.description,
      identities: [`urn:v1:eu:identity:account:${auth.account.nichandle}`],
      method: 'account',
      roles: [],
      user: '',
    };
  }

  @Post(branches('auth/logout'))
  @HttpCode(200)
  logout(@OvhAuth() auth: OvhAuthContext): null {
    this.state.expireCredential(auth.credential);
    return null;
  }
}
