import { randomUUID } from 'node:crypto';
import { AuditService } from '@app/audit';
import { ConsumerKeysService } from '@app/consumer-keys';
import {
  GrantSettingsService,
  GrantsService,
  localInvalidationBus,
  type InvalidationMessage,
  sha256Hex,
} from '@app/grants';
import { createTestDatabase, type TestDatabase } from '../../utils/test-database';
import { type RunningEmulator, startTestEmulator } from '../../utils/start-emulator';
import { adminViewer, type DelegatedAccount, delegatedAccount, SYSTEM_CTX } from './grant-fixtures';
import { type GrantsContext, startGrantsContext } from './grants-context';

const CK_RULES = [
  { method: 'GET' as const, path: '/domain' },
  { method: 'GET' as const, path: '/domain/*' },
  { method: 'POST' as const, path: '/domain/zone/example.com/*' },
];

describe('GrantsService (real Postgres)', () => {
  let db: TestDatabase;
  let emulator: RunningEmulator;
  let ctx: GrantsContext;
  let grants: GrantsService;
  let account: DelegatedAccount;
  const viewer = adminViewer();

  beforeAll(async () => {
    db = await createTestDatabase();
    emulator = await startTestEmulator();
    ctx = await startGrantsContext(db.url);
    grants = ctx.app.get(GrantsService);
    account = await delegatedAccount(ctx.app, emulator, CK_RULES);
  });

  afterAll(async () => {
    await ctx?.close();
    await emulator?.close();
    await db?.drop();
  });

  const base = () => ({
    consumerKeyId: account.consumerKeyId,
    holder: { type: 'person' as const, name: 'Alice Agency', email: 'alice@agency.example' },
    accessRules: [{ method: 'GET' as const, path: '/domain/zone/example.com/*' }],
    ttlSeconds: 3600,
  });

  it('mints an OVHcloud-shaped triple and a bearer token, shown once and stored only hashed or sealed', async () => {
    const created = await grants.create(viewer, account.accountId, base(), SYSTEM_CTX);
    const { credentials, grant } = created;
    expect(credentials.applicationKey).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(credentials.applicationSecret).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(credentials.consumerKey).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(credentials.bearerToken).toMatch(/^obg_[A-Za-z0-9]{43}$/);
    expect(credentials.consumerKey).not.toBe(account.realConsumerKey);
    expect(grant).toMatchObject({
      status: 'active',
      readOnly: false,
      rateLimitPerMinute: 60,
      allowedIPs: null,
    });
    expect(JSON.stringify(grant)).not.toContain(credentials.applicationSecret);
    expect(JSON.stringify(grant)).not.toContain(credentials.consumerKey);
    expect(JSON.stringify(grant)).not.toContain(credentials.bearerToken);

    const [row] = await ctx.db.query('SELECT * FROM grants WHERE id = $1', [grant.id]);
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(credentials.applicationSecret);
    expect(stored).not.toContain(credentials.consumerKey);
    expect(stored).not.toContain(credentials.bearerToken);
    expect(row.consumer_key_hash).toBe(sha256Hex(credentials.consumerKey));
    expect(row.token_hash).toBe(sha256Hex(credentials.bearerToken));

    const audit = await ctx.db.query(
      `SELECT * FROM audit_events WHERE action = 'grant.created' AND object_id = $1`,
      [grant.id],
    );
    expect(audit).toHaveLength(1);
    for (const secret of [credentials.applicationSecret, credentials.consumerKey, credentials.bearerToken]) {
      expect(JSON.stringify(audit)).not.toContain(secret);
    }

    const relay = await grants.findRelayGrantByAppKey(credentials.applicationKey);
    expect(relay).toMatchObject({ id: grant.id, appSecret: credentials.applicationSecret, state: 'active' });
    expect((await grants.findRelayGrantByToken(credentials.bearerToken))?.id).toBe(grant.id);
    expect(await grants.findRelayGrantByToken(`obg_${'x'.repeat(43)}`)).toBeNull();
    expect(await grants.findRelayGrantByAppKey('not-a-key')).toBeNull();
  });

  it('refuses rules the consumer key does not cover, naming the offending rule', async () => {
    await expect(
      grants.create(
        viewer,
        account.accountId,
        {
          ...base(),
          accessRules: [
            { method: 'GET', path: '/domain/zone/example.com/record' },
            { method: 'DELETE', path: '/domain/zone/example.com/*' },
          ],
        },
        SYSTEM_CTX,
      ),
    ).rejects.toMatchObject({
      code: 'GRANT_RULES_NOT_CONTAINED',
      kind: 'unprocessable',
      message: expect.stringContaining('DELETE /domain/zone/example.com/*'),
    });
    await expect(
      grants.create(
        viewer,
        account.accountId,
        { ...base(), accessRules: [{ method: 'GET', path: '/me' }] },
        SYSTEM_CTX,
      ),
    ).rejects.toMatchObject({ code: 'GRANT_RULES_NOT_CONTAINED' });
  });

  it('requires an expiry below the maximum an admin sets (settings row, else environment)', async () => {
    const settings = ctx.app.get(GrantSettingsService);
    expect(await settings.getMaxTtlSeconds()).toEqual({ maxTtlSeconds: 2592000, source: 'environment' });
    const { ttlSeconds: _ttl, ...noExpiry } = base();
    await expect(grants.create(viewer, account.accountId, noExpiry, SYSTEM_CTX)).rejects.toMatchObject({
      code: 'GRANT_EXPIRY_INVALID',
    });
    await expect(
      grants.create(viewer, account.accountId, { ...base(), ttlSeconds: 2592001 }, SYSTEM_CTX),
    ).rejects.toMatchObject({ code: 'GRANT_TTL_TOO_LONG', details: { maxTtlSeconds: 2592000 } });

    await settings.setMaxTtlSeconds(7200, SYSTEM_CTX);
    expect(await settings.getMaxTtlSeconds()).toEqual({ maxTtlSeconds: 7200, source: 'setting' });
    await expect(
      grants.create(viewer, account.accountId, { ...base(), ttlSeconds: 7201 }, SYSTEM_CTX),
    ).rejects.toMatchObject({ code: 'GRANT_TTL_TOO_LONG', details: { maxTtlSeconds: 7200 } });
    await expect(
      grants.create(
        viewer,
        account.accountId,
        { ...base(), expiresAt: new Date(ctx.clock.now().getTime() - 1000) },
        SYSTEM_CTX,
      ),
    ).rejects.toMatchObject({ code: 'GRANT_EXPIRY_INVALID' });
    await expect(settings.setMaxTtlSeconds(10, SYSTEM_CTX)).rejects.toMatchObject({
      code: 'GRANT_SETTINGS_INVALID',
    });
    await settings.setMaxTtlSeconds(2592000, SYSTEM_CTX);
  });

  it('validates read-only rules, CIDR blocks, the rate limit and the holder', async () => {
    await expect(
      grants.create(
        viewer,
        account.accountId,
        {
          ...base(),
          readOnly: true,
          accessRules: [{ method: 'POST', path: '/domain/zone/example.com/record' }],
        },
        SYSTEM_CTX,
      ),
    ).rejects.toMatchObject({ code: 'GRANT_READ_ONLY_RULES' });
    await expect(
      grants.create(viewer, account.accountId, { ...base(), allowedIPs: ['10.0.0.0/33'] }, SYSTEM_CTX),
    ).rejects.toMatchObject({
      code: 'GRANT_ALLOWED_IPS_INVALID',
      message: expect.stringContaining('10.0.0.0/33'),
    });
    await expect(
      grants.create(viewer, account.accountId, { ...base(), rateLimitPerMinute: 0 }, SYSTEM_CTX),
    ).rejects.toMatchObject({ code: 'GRANT_RATE_LIMIT_INVALID' });
    await expect(
      grants.create(
        viewer,
        account.accountId,
        { ...base(), holder: { type: 'robot' as never, name: 'x' } },
        SYSTEM_CTX,
      ),
    ).rejects.toMatchObject({ code: 'GRANT_HOLDER_INVALID' });
    const ok = await grants.create(
      viewer,
      account.accountId,
      { ...base(), readOnly: true, allowedIPs: ['192.0.2.7', '2001:db8::/32'], rateLimitPerMinute: 5 },
      SYSTEM_CTX,
    );
    expect(ok.grant).toMatchObject({
      readOnly: true,
      allowedIPs: ['192.0.2.7/32', '2001:db8::/32'],
      rateLimitPerMinute: 5,
    });
  });

  it('answers 404 for an operator not assigned to the account, and for a consumer key of another account', async () => {
    const stranger = { operatorId: randomUUID(), role: 'operator' as const };
    await expect(grants.create(stranger, account.accountId, base(), SYSTEM_CTX)).rejects.toMatchObject({
      kind: 'not_found',
    });
    await expect(grants.list(stranger, account.accountId)).rejects.toMatchObject({ kind: 'not_found' });
    const created = await grants.create(viewer, account.accountId, base(), SYSTEM_CTX);
    await expect(grants.get(stranger, account.accountId, created.grant.id)).rejects.toMatchObject({
      kind: 'not_found',
    });
    await expect(
      grants.revoke(stranger, account.accountId, created.grant.id, SYSTEM_CTX),
    ).rejects.toMatchObject({
      kind: 'not_found',
    });

    const other = await delegatedAccount(ctx.app, emulator, CK_RULES, { displayName: 'Other customer' });
    await expect(
      grants.create(viewer, account.accountId, { ...base(), consumerKeyId: other.consumerKeyId }, SYSTEM_CTX),
    ).rejects.toMatchObject({ code: 'GRANT_CONSUMER_KEY_NOT_FOUND' });
    await expect(grants.get(viewer, other.accountId, created.grant.id)).rejects.toMatchObject({
      code: 'GRANT_NOT_FOUND',
    });
  });

  it('revokes once, broadcasts the invalidation, and lists the grant as revoked', async () => {
    const created = await grants.create(viewer, account.accountId, base(), SYSTEM_CTX);
    const heard: InvalidationMessage[] = [];
    const listener = (m: InvalidationMessage) => heard.push(m);
    localInvalidationBus().on('invalidate', listener);
    try {
      const revoked = await grants.revoke(
        viewer,
        account.accountId,
        created.grant.id,
        SYSTEM_CTX,
        'left the agency',
      );
      expect(revoked).toMatchObject({ status: 'revoked', revokeReason: 'left the agency' });
    } finally {
      localInvalidationBus().off('invalidate', listener);
    }
    expect(heard).toContainEqual({ topic: 'grant', id: created.grant.id });
    await expect(
      grants.revoke(viewer, account.accountId, created.grant.id, SYSTEM_CTX),
    ).rejects.toMatchObject({
      code: 'GRANT_NOT_ACTIVE',
      kind: 'conflict',
    });
    const listed = await grants.list(viewer, account.accountId, { status: 'revoked' });
    expect(listed.map((g) => g.id)).toContain(created.grant.id);
    const events = await ctx.app
      .get(AuditService)
      .list({ action: 'grant.revoked', objectId: created.grant.id }, undefined, 10);
    expect(events.items).toHaveLength(1);
  });

  it('sweeps expired grants, and ends the grants of a consumer key that ended', async () => {
    const own = await delegatedAccount(ctx.app, emulator, CK_RULES, { displayName: 'Sweep customer' });
    const short = await grants.create(
      viewer,
      own.accountId,
      { ...base(), consumerKeyId: own.consumerKeyId, ttlSeconds: 120 },
      SYSTEM_CTX,
    );
    const long = await grants.create(
      viewer,
      own.accountId,
      { ...base(), consumerKeyId: own.consumerKeyId },
      SYSTEM_CTX,
    );
    ctx.clock.advance(121_000);
    expect((await grants.get(viewer, own.accountId, short.grant.id)).status).toBe('expired');
    const first = await grants.sweep();
    expect(first.expired).toBeGreaterThanOrEqual(1);
    const [row] = await ctx.db.query('SELECT state FROM grants WHERE id = $1', [short.grant.id]);
    expect(row.state).toBe('expired');

    await ctx.app.get(ConsumerKeysService).revoke(viewer, own.accountId, own.consumerKeyId, SYSTEM_CTX);
    const second = await grants.sweep();
    expect(second.ended).toBe(1);
    expect(await grants.get(viewer, own.accountId, long.grant.id)).toMatchObject({
      status: 'ended',
      endReason: 'consumer_key_revoked',
    });
    ctx.clock.set(new Date());
  });
});
