import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { EmulatorRequest, OvhAuthContext } from '../http/emulator-request';

export const OVH_ROUTE_KIND = 'ovh-emulator:route-kind';
export type OvhRouteKind = 'signed' | 'unauthenticated';

// Marks an OVH API route; routes without it (consent page, control API) skip the OVH checks.
export const OvhRoute = (kind: OvhRouteKind) => SetMetadata(OVH_ROUTE_KIND, kind);

export const OvhAuth = createParamDecorator((_data: unknown, ctx: ExecutionContext): OvhAuthContext => {
  const auth = ctx.switchToHttp().getRequest<EmulatorRequest>().ovhAuth;
  if (!auth) throw new Error('OvhAuth used on a route that is not @OvhRoute("signed")');
  return auth;
});
