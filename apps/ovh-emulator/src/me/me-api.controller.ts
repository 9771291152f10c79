import { Controller, Delete, Get, Param, Put, Req } from '@nestjs/common';
import { applicationView, credentialView } from '../api-views';
import { parseAllowedIps } from '../auth/credential-request';
import { OvhAuth, OvhRoute } from '../auth/ovh-route.decorator';
import { branches } from '../http/branch-paths';
import { type EmulatorRequest, type OvhAuthContext, queryOf } from '../http/emulator-request';
import { parseJsonObject } from '../http/json-body';
import { OvhHttpException } from '../http/ovh-http.exception';
import type { ApplicationRecord, CredentialRecord } from '../state/emulator-records';
import { EmulatorStateService } from '../state/emulator-state.service';

const STATUSES = ['expired', 'pendingValidation', 'refused', 'validated'];

// The account owner's view of the credentials delegated on their account (ovh-api.md §4.2).
@Controller()
@OvhRoute('signed')
export class MeApiController {
  constructor(private readonly state: EmulatorStateService) {}

  @Get(branches('me/api/credential'))
  listCredentials(@OvhAuth() auth: OvhAuthContext, @Req() req: EmulatorRequest): number[] {
    const query = queryOf(req);
    const applicationId = query.get('applicationId');
    const status = query.get('status');
    if (applicationId !== null && !/^\d+$/.test(applicationId)) {
      throw OvhHttpException.badRequest('Invalid parameter applicationId: an integer was expected');
    }
    if (status !== null && !STATUSES.includes(status)) {
      throw OvhHttpException.badRequest(
        `Invalid parameter status: one of ${STATUSES.join(', ')} was expected`,
      );
    }
    return this.state
      .credentialsOf(auth.account.nichandle)
      .filter((c) => applicationId === null || c.applicationId === Number(applicationId))
      .filter((c) => status === null || c.status === status)
      .map((c) => c.credentialId);
  }

  @Get(branches('me/api/credential/:credentialId'))
  getCredential(@OvhAuth() auth: OvhAuthContext, @Param('credentialId') id: string) {
    return credentialView(this.ownCredential(auth, id));
  }

  @Put(branches('me/api/credential/:credentialId'))
  updateCredential(
    @OvhAuth() auth: OvhAuthContext,
    @Param('credentialId') id: string,
    @Req() req: EmulatorRequest,
  ): null {
    const credential = this.ownCredential(auth, id);
    const body = parseJsonObject(req);
    // Only allowedIPs is writable in auth.ApiCredential; other fields are ignored like read-only ones.
    if ('allowedIPs' in body) credential.allowedIPs = parseAllowedIps(body.allowedIPs);
    return null;
  }

  @Delete(branches('me/api/credential/:credentialId'))
  deleteCredential(@OvhAuth() auth: OvhAuthContext, @Param('credentialId') id: string): null {
    this.state.deleteCredential(this.ownCredential(auth, id).consumerKey);
    return null;
  }

  @Get(branches('me/api/credential/:credentialId/application'))
  credentialApplication(@OvhAuth() auth: OvhAuthContext, @Param('credentialId') id: string) {
    const credential = this.ownCredential(auth, id);
    return applicationView(this.application(credential.applicationId));
  }

  @Get(branches('me/api/application'))
  listApplications(@OvhAuth() auth: OvhAuthContext): number[] {
    const ids = new Set(this.state.credentialsOf(auth.account.nichandle).map((c) => c.applicationId));
    return [...ids].sort((a, b) => a - b);
  }

  @Get(branches('me/api/application/:applicationId'))
  getApplication(@OvhAuth() auth: OvhAuthContext, @Param('applicationId') id: string) {
    return applicationView(this.ownApplication(auth, id));
  }

  @Delete(branches('me/api/application/:applicationId'))
  deleteApplication(@OvhAuth() auth: OvhAuthContext, @Param('applicationId') id: string): null {
    const application = this.ownApplication(auth, id);
    for (const c of this.state.credentialsOf(auth.account.nichandle)) {
      if (c.applicationId === application.applicationId) this.state.deleteCredential(c.consumerKey);
    }
    return null;
  }

  private ownCredential(auth: OvhAuthContext, id: string): CredentialRecord {
    const credential = /^\d+$/.test(id)
      ? this.state.credentialsOf(auth.account.nichandle).find((c) => c.credentialId === Number(id))
      : undefined;
    if (!credential)
      throw OvhHttpException.notFound(`The requested object (credentialId = ${id}) does not exist`);
    return credential;
  }

  private ownApplication(auth: OvhAuthContext, id: string): ApplicationRecord {
    const owned =
      /^\d+$/.test(id) &&
      this.state.credentialsOf(auth.account.nichandle).some((c) => c.applicationId === Number(id));
    if (!owned)
      throw OvhHttpException.notFound(`The requested object (applicationId = ${id}) does not exist`);
    return this.application(Number(id));
  }

  private application(applicationId: number): ApplicationRecord {
    const application = this.state.findApplicationById(applicationId);
    if (!application) {
      throw OvhHttpException.notFound(
        `The requested object (applicationId = ${applicationId}) does not exist`,
      );
    }
    return application;
  }
}
