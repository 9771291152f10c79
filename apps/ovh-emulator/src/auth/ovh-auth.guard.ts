import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isCallGranted, OVH_HEADERS_LOWER } from '@app/ovh-protocol';
import { EMULATOR_OPTIONS, type ResolvedEmulatorOptions } from '../emulator-options';
import {
  branchRelativePath,
  type EmulatorRequest,
  firstHeader,
  rawBodyOf,
  rawTargetOf,
} from '../http/emulator-request';
import { OvhHttpException } from '../http/ovh-http.exception';
import { EmulatorClock } from '../state/emulator-clock';
import { EmulatorStateService } from '../state/emulator-state.service';
import { ipAllowed } from './client-ip';
import { OVH_ROUTE_KIND, type OvhRouteKind } from './ovh-route.decorator';
import { acceptedOrigins, verifyRequestSignature } from './request-signature';

// Check order of ovh-api.md §8: headers, AK, CK, timestamp, signature, state, allowedIPs, rules.
@Injectable()
export class OvhAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly state: EmulatorStateService,
    private readonly clock: EmulatorClock,
    @Inject(EMULATOR_OPTIONS) private readonly options: ResolvedEmulatorOptions,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const kind = this.reflector.getAllAndOverride<OvhRouteKind | undefined>(OVH_ROUTE_KIND, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!kind) return true;
    const req = context.switchToHttp().getRequest<EmulatorRequest>();
    if (kind === 'signed') this.authenticate(req);
    if ((req.method === 'GET' || req.method === 'DELETE') && rawBodyOf(req).length > 0) {
      throw OvhHttpException.of('BODY_NOT_EXPECTED');
    }
    return true;
  }

  private authenticate(req: EmulatorRequest): void {
    const appKey = firstHeader(req, OVH_HEADERS_LOWER.application);
    const consumerKey = firstHeader(req, OVH_HEADERS_LOWER.consumer);
    const timestamp = firstHeader(req, OVH_HEADERS_LOWER.timestamp);
    const signature = firstHeader(req, OVH_HEADERS_LOWER.signature);
    if (!appKey || !consumerKey || !timestamp || !signature) throw OvhHttpException.of('NOT_AUTHENTICATED');

    const application = this.state.applications.get(appKey);
    if (!application || application.status === 'blocked') throw OvhHttpException.of('INVALID_KEY');

    const credential = this.state.credentials.get(consumerKey);
    if (!credential || credential.applicationId !== application.applicationId) {
      throw OvhHttpException.of('NOT_CREDENTIAL');
    }

    if (!/^\d{1,12}$/.test(timestamp)) throw OvhHttpException.of('QUERY_TIME_OUT');
    if (Math.abs(Number(timestamp) - this.clock.nowSec()) > this.options.timestampWindowSec) {
      throw OvhHttpException.of('QUERY_TIME_OUT');
    }

    const signed = verifyRequestSignature({
      origins: acceptedOrigins(
        this.options.publicBaseUrl,
        firstHeader(req, 'host'),
        'encrypted' in req.socket,
      ),
      target: rawTargetOf(req),
      appSecret: application.applicationSecret,
      consumerKey,
      method: req.method,
      body: rawBodyOf(req),
      timestamp,
      signature,
    });
    if (!signed) throw OvhHttpException.of('INVALID_SIGNATURE');

    this.state.refreshStatus(credential);
    const account = credential.nichandle ? this.state.accounts.get(credential.nichandle) : undefined;
    if (credential.status !== 'validated' || !account) throw OvhHttpException.of('INVALID_CREDENTIAL');

    if (credential.allowedIPs && credential.allowedIPs.length > 0) {
      if (!ipAllowed(req.socket.remoteAddress, credential.allowedIPs))
        throw OvhHttpException.of('IP_NOT_ALLOWED');
    }

    const path = branchRelativePath(req);
    if (!path.startsWith('/auth/') && !isCallGranted(credential.rules, req.method, path)) {
      throw OvhHttpException.of('NOT_GRANTED_CALL');
    }

    credential.lastUse = this.clock.nowMs();
    req.ovhAuth = { application, credential, account };
  }
}
