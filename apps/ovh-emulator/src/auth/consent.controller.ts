import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type EmulatorRequest, queryOf, rawBodyOf } from '../http/emulator-request';
import type { CredentialRecord } from '../state/emulator-records';
import { EmulatorStateService } from '../state/emulator-state.service';
import { consentPage, messagePage, VALIDITY_CHOICES } from './consent-page';

// The customer-facing validation page behind validationUrl (not part of the OVH JSON API).
@Controller()
export class ConsentController {
  constructor(private readonly state: EmulatorStateService) {}

  @Get(['auth', 'auth/sso/api'])
  show(@Req() req: EmulatorRequest, @Res() res: Response): void {
    const credential = this.pendingCredential(queryOf(req).get('credentialToken'));
    if (!credential) return this.invalidToken(res);
    const application = this.state.findApplicationById(credential.applicationId);
    if (!application) return this.invalidToken(res);
    this.html(res, 200, consentPage(application, credential));
  }

  @Post(['auth', 'auth/sso/api'])
  submit(@Req() req: EmulatorRequest, @Res() res: Response): void {
    const form = new URLSearchParams(rawBodyOf(req).toString('utf8'));
    const credential = this.pendingCredential(
      form.get('credentialToken') ?? queryOf(req).get('credentialToken'),
    );
    if (!credential) return this.invalidToken(res);
    const application = this.state.findApplicationById(credential.applicationId);
    if (!application) return this.invalidToken(res);

    const nichandle = form.get('nichandle') ?? '';
    const account = this.state.accounts.get(nichandle);
    if (!account || account.password !== (form.get('password') ?? '')) {
      return this.html(
        res,
        401,
        consentPage(application, credential, 'Invalid account ID or password.', nichandle),
      );
    }

    if (form.get('decision') === 'refuse') {
      this.state.refuseCredential(credential.consumerKey);
      return this.finish(res, credential, 'Access refused', 'The application was not authorized.');
    }
    if (form.get('decision') !== 'approve') {
      return this.html(
        res,
        400,
        consentPage(application, credential, 'Choose Authorize or Refuse.', nichandle),
      );
    }
    const choice = VALIDITY_CHOICES.find((v) => v.value === (form.get('validity') ?? '86400'));
    if (!choice) {
      return this.html(
        res,
        400,
        consentPage(application, credential, 'Choose a validity period.', nichandle),
      );
    }
    this.state.validateCredential(credential.consumerKey, nichandle, choice.seconds);
    this.finish(res, credential, 'Access granted', `"${application.name}" can now use the granted rights.`);
  }

  private finish(res: Response, credential: CredentialRecord, title: string, message: string): void {
    if (credential.redirection) {
      res.redirect(302, credential.redirection);
      return;
    }
    this.html(res, 200, messagePage(title, message));
  }

  private pendingCredential(token: string | null | undefined): CredentialRecord | undefined {
    if (!token || !/^[A-Za-z0-9]{64}$/.test(token)) return undefined;
    const credential = this.state.findByToken(token);
    return credential?.status === 'pendingValidation' ? credential : undefined;
  }

  private invalidToken(res: Response): void {
    this.html(
      res,
      404,
      messagePage('Invalid token', 'This validation link is unknown, expired or already used.'),
    );
  }

  private html(res: Response, status: number, page: string): void {
    res.status(status).type('text/html; charset=utf-8').send(page);
  }
}
