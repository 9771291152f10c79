import { Inject, Injectable } from '@nestjs/common';
import { EMULATOR_OPTIONS, type ResolvedEmulatorOptions } from '../emulator-options';

// One shifted clock for /auth/time, the timestamp window and credential expiry.
@Injectable()
export class EmulatorClock {
  private offsetSeconds = 0;

  constructor(@Inject(EMULATOR_OPTIONS) private readonly options: ResolvedEmulatorOptions) {}

  nowMs(): number {
    return this.options.clock() + this.offsetSeconds * 1000;
  }

  nowSec(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  getOffsetSeconds(): number {
    return this.offsetSeconds;
  }

  setOffsetSeconds(offset: number): void {
    this.offsetSeconds = offset;
  }
}
