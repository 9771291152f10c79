import { Injectable } from '@nestjs/common';
import { globMatches } from '@app/ovh-protocol';

export interface FaultSpec {
  method?: string;
  // Glob ('*' = anything) over the raw path without query, branch included, e.g. /1.0/me or */me.
  pathPattern: string;
  latencyMs?: number;
  status?: number;
  errorBody?: unknown;
  reset?: boolean;
  times?: number;
}

export interface Fault extends FaultSpec {
  id: number;
  hits: number;
}

export interface RequestLogEntry {
  id: number;
  time: string;
  method: string;
  target: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  status: number;
  durationMs: number;
  queryId: string;
}

const MAX_LOG_ENTRIES = 1000;
const MAX_LOGGED_BODY = 64 * 1024;

@Injectable()
export class ControlStateService {
  private faults: Fault[] = [];
  private nextFaultId = 1;
  private log: RequestLogEntry[] = [];
  private nextLogId = 1;

  addFault(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: this.nextFaultId++, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  listFaults(): Fault[] {
    return [...this.faults];
  }

  clearFaults(): void {
    this.faults = [];
  }

  // Consumes one use of the first matching fault, if any.
  takeFault(method: string, path: string): Fault | undefined {
    const fault = this.faults.find(
      (f) => (!f.method || f.method.toUpperCase() === method) && globMatches(f.pathPattern, path),
    );
    if (!fault) return undefined;
    fault.hits++;
    if (fault.times !== undefined && fault.hits >= fault.times) {
      this.faults = this.faults.filter((f) => f !== fault);
    }
    return fault;
  }

  record(entry: Omit<RequestLogEntry, 'id'>): void {
    const body = entry.body.length > MAX_LOGGED_BODY ? entry.body.slice(0, MAX_LOGGED_BODY) : entry.body;
    this.log.push({ ...entry, body, id: this.nextLogId++ });
    if (this.log.length > MAX_LOG_ENTRIES) this.log.splice(0, this.log.length - MAX_LOG_ENTRIES);
  }

  requests(): RequestLogEntry[] {
    return [...this.log];
  }

  clearRequests(): void {
    this.log = [];
  }

  reset(): void {
    this.clearFaults();
    this.clearRequests();
  }
}
