import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { auditContextFrom } from '@app/audit';
import { Public } from '@app/common';
import { type CallbackOutcome, ConsumerKeysService } from '@app/consumer-keys';

const PAGES: Record<CallbackOutcome, { status: number; title: string; text: string }> = {
  validated: { status: 200, title: 'Thank you', text: 'Access is confirmed. You can close this page.' },
  refused: { status: 200, title: 'Access refused', text: 'Nothing was authorised. You can close this page.' },
  pending: {
    status: 200,
    title: 'Thank you',
    text: 'We could not confirm the authorisation yet; we will check again shortly. You can close this page.',
  },
  'already-final': {
    status: 200,
    title: 'Already handled',
    text: 'This request was already handled. You can close this page.',
  },
  invalid: { status: 404, title: 'Unknown link', text: 'This link is not valid.' },
};

// Where OVHcloud's consent page sends the customer's browser back (the `redirection`
// of POST /auth/credential). Public: the random `state` in the link is the proof.
@ApiExcludeController()
@Public()
@Controller('callbacks/consumer-keys')
export class ConsumerKeyCallbackController {
  constructor(private readonly keys: ConsumerKeysService) {}

  @Get(':id')
  async callback(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @Query('state') state: string | undefined,
  ): Promise<void> {
    let outcome: CallbackOutcome;
    try {
      outcome = await this.keys.handleCallback(
        id,
        typeof state === 'string' ? state : undefined,
        auditContextFrom(req),
      );
    } catch {
      outcome = 'pending';
    }
    const page = PAGES[outcome];
    res
      .status(page.status)
      .setHeader('Cache-Control', 'no-store')
      .setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
      .setHeader('Referrer-Policy', 'no-referrer')
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${page.title}</title>` +
          '<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}</style>' +
          `</head><body><h1>${page.title}</h1><p>${page.text}</p></body></html>`,
      );
  }
}
