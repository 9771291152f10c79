import { Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { credentialView } from '../api-views';
import type { EmulatorRequest } from '../http/emulator-request';
import { parseJsonObject } from '../http/json-body';
import { OvhHttpException } from '../http/ovh-http.exception';
import { EmulatorClock } from '../state/emulator-clock';
import {
  DEFAULT_VALIDITY_SECONDS,
  EmulatorStateError,
  EmulatorStateService,
} from '../state/emulator-state.service';
import { ControlStateService, type FaultSpec } from './control-state.service';

// Test-only API, registered only when the control option is on (EMULATOR_CONTROL=1).
@Controller('_emulator')
export class ControlController {
  constructor(
    private readonly state: EmulatorStateService,
    private readonly control: ControlStateService,
    private readonly clock: EmulatorClock,
  ) {}

  @Post('credentials/:consumerKey/validate')
  @HttpCode(200)
  validate(@Param('consumerKey') consumerKey: string, @Req() req: EmulatorRequest) {
    const body = parseJsonObject(req);
    if (typeof body.nichandle !== 'string') throw OvhHttpException.badRequest('nichandle is required');
    const validity = body.validitySeconds === undefined ? DEFAULT_VALIDITY_SECONDS : body.validitySeconds;
    if (validity !== null && typeof validity !== 'number') {
      throw OvhHttpException.badRequest('validitySeconds must be a number of seconds or null (unlimited)');
    }
    return credentialView(
      this.guard(() => this.state.validateCredential(consumerKey, body.nichandle as string, validity)),
    );
  }

  @Post('credentials/:consumerKey/refuse')
  @HttpCode(200)
  refuse(@Param('consumerKey') consumerKey: string) {
    return credentialView(this.guard(() => this.state.refuseCredential(consumerKey)));
  }

  @Post('reset')
  @HttpCode(200)
  reset() {
    this.state.reset();
    this.control.reset();
    this.clock.setOffsetSeconds(0);
    return { reset: true };
  }

  @Post('clock')
  @HttpCode(200)
  setClock(@Req() req: EmulatorRequest) {
    const body = parseJsonObject(req);
    if (typeof body.offsetSeconds !== 'number' || !Number.isFinite(body.offsetSeconds)) {
      throw OvhHttpException.badRequest('offsetSeconds must be a number');
    }
    this.clock.setOffsetSeconds(Math.trunc(body.offsetSeconds));
    return { offsetSeconds: this.clock.getOffsetSeconds(), now: this.clock.nowSec() };
  }

  @Get('clock')
  getClock() {
    return { offsetSeconds: this.clock.getOffsetSeconds(), now: this.clock.nowSec() };
  }

  @Post('faults')
  @HttpCode(200)
  addFault(@Req() req: EmulatorRequest) {
    return this.control.addFault(parseFault(parseJsonObject(req)));
  }

  @Get('faults')
  listFaults() {
    return this.control.listFaults();
  }

  @Delete('faults')
  clearFaults() {
    this.control.clearFaults();
    return { cleared: true };
  }

  @Get('requests')
  requests() {
    return this.control.requests();
  }

  @Delete('requests')
  clearRequests() {
    this.control.clearRequests();
    return { cleared: true };
  }

  @Get('state')
  dump() {
    return {
      clockOffsetSeconds: this.clock.getOffsetSeconds(),
      now: this.clock.nowSec(),
      applications: [...this.state.applications.values()].map((a) => ({
        applicationId: a.applicationId,
        applicationKey: a.applicationKey,
        name: a.name,
        status: a.status,
      })),
      credentials: [...this.state.credentials.values()].map((c) => ({
        ...credentialView(this.state.refreshStatus(c)),
        consumerKey: c.consumerKey,
        nichandle: c.nichandle,
        redirection: c.redirection,
      })),
      accounts: [...this.state.accounts.values()].map((a) => ({
        nichandle: a.nichandle,
        zones: [...a.zones.values()].map((z) => ({ name: z.name, records: [...z.records.values()] })),
      })),
      faults: this.control.listFaults(),
    };
  }

  private guard<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      if (error instanceof EmulatorStateError) {
        if (error.code === 'UNKNOWN_CREDENTIAL') throw OvhHttpException.notFound(error.message);
        throw new OvhHttpException({ status: 409, message: error.message, class: 'Client::Conflict' });
      }
      throw error;
    }
  }
}

function parseFault(body: Record<string, unknown>): FaultSpec {
  const { method, pathPattern, latencyMs, status, errorBody, reset, times } = body;
  if (typeof pathPattern !== 'string' || !pathPattern)
    throw OvhHttpException.badRequest('pathPattern is required');
  if (method !== undefined && typeof method !== 'string')
    throw OvhHttpException.badRequest('method must be a string');
  if (latencyMs !== undefined && (!Number.isInteger(latencyMs) || (latencyMs as number) < 0)) {
    throw OvhHttpException.badRequest('latencyMs must be a non-negative integer');
  }
  if (
    status !== undefined &&
    (!Number.isInteger(status) || (status as number) < 100 || (status as number) > 599)
  ) {
    throw OvhHttpException.badRequest('status must be an HTTP status code');
  }
  if (reset !== undefined && typeof reset !== 'boolean')
    throw OvhHttpException.badRequest('reset must be a boolean');
  if (times !== undefined && (!Number.isInteger(times) || (times as number) < 1)) {
    throw OvhHttpException.badRequest('times must be a positive integer');
  }
  if (status === undefined && !reset && latencyMs === undefined) {
    throw OvhHttpException.badRequest('a fault needs at least one of status, latencyMs or reset');
  }
  return {
    pathPattern,
    ...(method !== undefined ? { method: method as string } : {}),
    ...(latencyMs !== undefined ? { latencyMs: latencyMs as number } : {}),
    ...(status !== undefined ? { status: status as number } : {}),
    ...(errorBody !== undefined ? { errorBody } : {}),
    ...(reset !== undefined ? { reset: reset as boolean } : {}),
    ...(times !== undefined ? { times: times as number } : {}),
  };
}
