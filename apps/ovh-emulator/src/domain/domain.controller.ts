import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { recordView } from '../api-views';
import { OvhAuth, OvhRoute } from '../auth/ovh-route.decorator';
import { EMULATOR_OPTIONS, type ResolvedEmulatorOptions } from '../emulator-options';
import { branches } from '../http/branch-paths';
import { type EmulatorRequest, type OvhAuthContext, queryOf } from '../http/emulator-request';
import { parseJsonObject } from '../http/json-body';
import { OvhHttpException } from '../http/ovh-http.exception';
import { recordProblem } from '../seed/emulator-seed';
import { EmulatorClock } from '../state/emulator-clock';
import type { DnsRecord, ZoneRecord } from '../state/emulator-records';
import { EmulatorStateService } from '../state/emulator-state.service';
import { ovhDate } from '../api-views';

// A small slice of the DNS API, enough for a realistic delegated-access story.
@Controller()
@OvhRoute('signed')
export class DomainController {
  constructor(
    private readonly state: EmulatorStateService,
    private readonly clock: EmulatorClock,
    @Inject(EMULATOR_OPTIONS) private readonly options: ResolvedEmulatorOptions,
  ) {}

  @Get(branches('domain', 'domain/zone'))
  listZones(@OvhAuth() auth: OvhAuthContext): string[] {
    return [...auth.account.zones.keys()].sort();
  }

  @Get(branches('domain/zone/:zone'))
  getZone(@OvhAuth() auth: OvhAuthContext, @Param('zone') zoneName: string) {
    const zone = this.zone(auth, zoneName);
    return {
      name: zone.name,
      hasDnsAnycast: false,
      dnssecSupported: true,
      lastUpdate: ovhDate(zone.lastUpdate),
      nameServers: ['dns10.ovh.net', 'ns10.ovh.net'],
    };
  }

  @Get(branches('domain/zone/:zone/record'))
  listRecords(@OvhAuth() auth: OvhAuthContext, @Param('zone') zoneName: string, @Req() req: EmulatorRequest) {
    const zone = this.zone(auth, zoneName);
    const query = queryOf(req);
    const fieldType = query.get('fieldType');
    const subDomain = query.get('subDomain');
    return [...zone.records.values()]
      .filter((r) => fieldType === null || r.fieldType === fieldType)
      .filter((r) => subDomain === null || r.subDomain === subDomain)
      .map((r) => r.id)
      .sort((a, b) => a - b);
  }

  @Post(branches('domain/zone/:zone/record'))
  @HttpCode(200)
  createRecord(
    @OvhAuth() auth: OvhAuthContext,
    @Param('zone') zoneName: string,
    @Req() req: EmulatorRequest,
  ) {
    const zone = this.zone(auth, zoneName);
    const body = parseJsonObject(req);
    const problem = recordProblem(body);
    if (problem) throw OvhHttpException.badRequest(`Invalid record: ${problem}`);
    const record: DnsRecord = {
      id: this.state.newRecordId(),
      zone: zone.name,
      fieldType: body.fieldType as string,
      subDomain: (body.subDomain as string | undefined) ?? '',
      target: body.target as string,
      ttl: (body.ttl as number | undefined) ?? 0,
    };
    zone.records.set(record.id, record);
    return recordView(record);
  }

  @Get(branches('domain/zone/:zone/record/:id'))
  getRecord(@OvhAuth() auth: OvhAuthContext, @Param('zone') zoneName: string, @Param('id') id: string) {
    return recordView(this.record(this.zone(auth, zoneName), id));
  }

  @Put(branches('domain/zone/:zone/record/:id'))
  updateRecord(
    @OvhAuth() auth: OvhAuthContext,
    @Param('zone') zoneName: string,
    @Param('id') id: string,
    @Req() req: EmulatorRequest,
  ): null {
    const record = this.record(this.zone(auth, zoneName), id);
    const body = parseJsonObject(req);
    const next = {
      fieldType: record.fieldType,
      subDomain: body.subDomain ?? record.subDomain,
      target: body.target ?? record.target,
      ttl: body.ttl ?? record.ttl,
    };
    const problem = recordProblem(next);
    if (problem) throw OvhHttpException.badRequest(`Invalid record: ${problem}`);
    Object.assign(record, next);
    return null;
  }

  // ovh-api.md §4.3: 204 by default (real API), or 200 + null when configured.
  @Delete(branches('domain/zone/:zone/record/:id'))
  deleteRecord(
    @OvhAuth() auth: OvhAuthContext,
    @Param('zone') zoneName: string,
    @Param('id') id: string,
    @Res() res: Response,
  ): void {
    const zone = this.zone(auth, zoneName);
    zone.records.delete(this.record(zone, id).id);
    if (this.options.deleteRecordStatus === 204) res.status(204).end();
    else res.status(200).type('application/json').send('null');
  }

  @Post(branches('domain/zone/:zone/refresh'))
  @HttpCode(200)
  refresh(@OvhAuth() auth: OvhAuthContext, @Param('zone') zoneName: string): null {
    this.zone(auth, zoneName).lastUpdate = this.clock.nowMs();
    return null;
  }

  private zone(auth: OvhAuthContext, name: string): ZoneRecord {
    const zone = auth.account.zones.get(name);
    if (!zone) throw OvhHttpException.notFound('This service does not exist');
    return zone;
  }

  private record(zone: ZoneRecord, id: string): DnsRecord {
    const record = /^\d+$/.test(id) ? zone.records.get(Number(id)) : undefined;
    if (!record) throw OvhHttpException.notFound(`The requested object (id = ${id}) does not exist`);
    return record;
  }
}
