import { Controller, Get } from '@nestjs/common';
import { OvhAuth, OvhRoute } from '../auth/ovh-route.decorator';
import { branches } from '../http/branch-paths';
import type { OvhAuthContext } from '../http/emulator-request';

const CURRENCY: Record<string, { code: string; symbol: string }> = {
  CA: { code: 'CAD', symbol: 'CAD' },
  US: { code: 'USD', symbol: 'US_DOLLAR' },
};

@Controller()
@OvhRoute('signed')
export class MeController {
  @Get(branches('me'))
  me(@OvhAuth() { account }: OvhAuthContext) {
    return {
      nichandle: account.nichandle,
      email: account.email,
      firstname: account.firstname,
      name: account.name,
      country: account.country,
      ovhSubsidiary: account.country,
      language: 'en_GB',
      legalform: 'individual',
      state: 'complete',
      customerCode: `0000-${account.nichandle.length}000-00`,
      currency: CURRENCY[account.country] ?? { code: 'EUR', symbol: 'EURO' },
    };
  }
}
