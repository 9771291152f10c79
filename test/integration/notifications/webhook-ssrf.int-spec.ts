import type { AuditContext } from '@app/audit';
import { NotificationsService } from '@app/notifications';
import { createTestApp, type TestApp } from '../../utils/create-app';

const ctx: AuditContext = { actor: { type: 'system', label: 'test' } };

// With the default WEBHOOK_ALLOW_PRIVATE=false, internal targets are refused.
describe('webhook URLs without WEBHOOK_ALLOW_PRIVATE', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('admin-api', { JOBS_ENABLED: 'false', WEBHOOK_ALLOW_PRIVATE: 'false' });
  });
  afterAll(() => t.close());

  it.each([
    'http://127.0.0.1:5432/',
    'http://localhost/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'gopher://example.com/',
  ])('refuses %s', async (url) => {
    await expect(t.app.get(NotificationsService).createWebhook({ url }, ctx)).rejects.toMatchObject({
      code: 'WEBHOOK_URL_INVALID',
    });
    expect(await t.app.get(NotificationsService).listWebhooks()).toEqual([]);
  });

  it('accepts a public address', async () => {
    const { webhook, secret } = await t.app
      .get(NotificationsService)
      .createWebhook({ url: 'https://93.184.215.14/hook', events: ['consumer_key.expired'] }, ctx);
    expect(webhook.events).toEqual(['consumer_key.expired']);
    expect(secret).toMatch(/^whsec_[\w-]{43}$/);
  });
});
