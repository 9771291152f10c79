import { readFileSync } from 'node:fs';
import { globalAgent } from 'node:https';
import { join } from 'node:path';
import ovh from 'ovh';
import { Agent, request } from 'undici';
import {
  EMULATOR_ACCOUNT,
  EMULATOR_APP,
  type RunningEmulator,
  startTestEmulator,
} from '../../utils/start-emulator';

const cert = readFileSync(join(__dirname, 'fixtures/localhost-cert.pem'));
const key = readFileSync(join(__dirname, 'fixtures/localhost-key.pem'));

interface NodeOvhError {
  error: number;
  message: string | null;
}

// node-ovh always speaks HTTPS and signs "https://" + host without the port (ovh-api.md §1.8),
// so the emulator runs with a self-signed test certificate and accepts that origin.
describe.each([204, 200] as const)(
  'official node ovh client against the emulator (DELETE → %i)',
  (deleteStatus) => {
    let emulator: RunningEmulator;
    let dispatcher: Agent;
    const previousCa = globalAgent.options.ca;

    beforeAll(async () => {
      emulator = await startTestEmulator({ tls: { key, cert }, deleteRecordStatus: deleteStatus });
      globalAgent.options.ca = cert;
      dispatcher = new Agent({ connect: { ca: cert } });
    });

    afterAll(async () => {
      globalAgent.options.ca = previousCa;
      await dispatcher.close();
      await emulator.close();
    });

    const client = () =>
      ovh({
        appKey: EMULATOR_APP.applicationKey,
        appSecret: EMULATOR_APP.applicationSecret,
        host: '127.0.0.1',
        port: emulator.port,
        basePath: '/1.0',
      });

    it('requests a consumer key, gets it validated, then manages DNS records', async () => {
      const api = client();
      const credential = await api.requestPromised<{
        consumerKey: string;
        validationUrl: string;
        state: string;
      }>('POST', '/auth/credential', {
        accessRules: [
          { method: 'GET', path: '/me' },
          { method: 'GET', path: '/domain' },
          { method: 'GET', path: '/domain/*' },
          { method: 'POST', path: '/domain/zone/example.com/*' },
          { method: 'PUT', path: '/domain/zone/example.com/*' },
          { method: 'DELETE', path: '/domain/zone/example.com/*' },
        ],
        redirection: 'https://broker.example/callback',
      });
      expect(credential.state).toBe('pendingValidation');
      expect(credential.consumerKey).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(credential.validationUrl).toMatch(
        new RegExp(`^https://127\\.0\\.0\\.1:${emulator.port}/auth/\\?credentialToken=[A-Za-z0-9]{64}$`),
      );

      const validation = await request(
        `${emulator.url}/_emulator/credentials/${credential.consumerKey}/validate`,
        {
          method: 'POST',
          dispatcher,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ nichandle: EMULATOR_ACCOUNT.nichandle, validitySeconds: null }),
        },
      );
      expect(validation.statusCode).toBe(200);
      await validation.body.dump();

      api.consumerKey = credential.consumerKey;
      const me = await api.requestPromised<{ nichandle: string; email: string }>('GET', '/me');
      expect(me).toMatchObject({ nichandle: 'xx1111-ovh', email: EMULATOR_ACCOUNT.email });

      expect(await api.requestPromised('GET', '/domain')).toEqual(['example.com', 'example.net']);

      // node-ovh escapes non-ASCII as \uXXXX; the emulator hashes the bytes as received.
      const created = await api.requestPromised<{ id: number; target: string }>(
        'POST',
        '/domain/zone/example.com/record',
        { fieldType: 'TXT', subDomain: '_acme-challenge', target: 'tèsté', ttl: 60 },
      );
      expect(created).toMatchObject({ zone: 'example.com', fieldType: 'TXT', target: 'tèsté', ttl: 60 });
      expect(Number.isInteger(created.id)).toBe(true);

      const ids = await api.requestPromised<number[]>('GET', '/domain/zone/example.com/record', {
        fieldType: 'TXT',
        subDomain: '_acme-challenge',
      });
      expect(ids).toEqual([created.id]);

      await expect(
        api.requestPromised('PUT', `/domain/zone/example.com/record/${created.id}`, { target: 'updated' }),
      ).resolves.toBeNull();
      await expect(
        api.requestPromised('GET', `/domain/zone/example.com/record/${created.id}`),
      ).resolves.toMatchObject({
        target: 'updated',
      });

      const deletion = api.requestPromised('DELETE', `/domain/zone/example.com/record/${created.id}`);
      if (deleteStatus === 200) {
        await expect(deletion).resolves.toBeNull();
      } else {
        // node-ovh 2.0.3 treats every non-200 status as an error, 204 included (node-ovh PR#50).
        await expect(deletion).rejects.toEqual({ error: 204, message: null });
      }
      const gone = await api
        .requestPromised('GET', `/domain/zone/example.com/record/${created.id}`)
        .catch((e: NodeOvhError) => e);
      expect(gone).toEqual({
        error: 404,
        message: `The requested object (id = ${created.id}) does not exist`,
      });
    });

    it('reproduces the node-ovh quirk: /auth/* calls are sent unsigned and get 401', async () => {
      const ck = emulator.state.createCredential(
        emulator.state.applications.get(EMULATOR_APP.applicationKey)!,
        [{ method: 'GET', path: '/*' }],
        null,
        null,
      ).consumerKey;
      emulator.state.validateCredential(ck, EMULATOR_ACCOUNT.nichandle, null);
      const api = client();
      api.consumerKey = ck;
      await expect(api.requestPromised('GET', '/auth/currentCredential')).rejects.toEqual({
        error: 401,
        message: 'You must login first',
      });
    });

    it('gets 403 NOT_GRANTED_CALL outside the granted rules', async () => {
      const app = emulator.state.applications.get(EMULATOR_APP.applicationKey)!;
      const ck = emulator.state.createCredential(
        app,
        [{ method: 'GET', path: '/me' }],
        null,
        null,
      ).consumerKey;
      emulator.state.validateCredential(ck, EMULATOR_ACCOUNT.nichandle, 3600);
      const api = client();
      api.consumerKey = ck;
      await expect(api.requestPromised('GET', '/domain')).rejects.toEqual({
        error: 403,
        message: 'This call has not been granted',
      });
    });
  },
);
