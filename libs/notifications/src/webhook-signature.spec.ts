import { createHmac } from 'node:crypto';
import { signWebhookPayload, verifyWebhookSignature } from './webhook-signature';

describe('webhook signature', () => {
  const secret = 'whsec_canary';
  const body = '{"event":"consumer_key.validated"}';

  it('is HMAC-SHA256 over "<t>.<body>" in hex, as documented', () => {
    const expected = createHmac('sha256', secret).update(`1767225600.${body}`).digest('hex');
    expect(signWebhookPayload(secret, 1767225600, body)).toBe(`t=1767225600,v1=${expected}`);
  });

  it('verifies a fresh signature and refuses a tampered body, another secret or an old timestamp', () => {
    const header = signWebhookPayload(secret, 1000, body);
    expect(verifyWebhookSignature(secret, header, body, { nowSec: 1010 })).toBe(true);
    expect(verifyWebhookSignature(secret, header, `${body} `, { nowSec: 1010 })).toBe(false);
    expect(verifyWebhookSignature('other', header, body, { nowSec: 1010 })).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, { nowSec: 2000 })).toBe(false);
    expect(verifyWebhookSignature(secret, 'garbage', body, { nowSec: 1000 })).toBe(false);
    expect(verifyWebhookSignature(secret, undefined, body)).toBe(false);
  });
});
