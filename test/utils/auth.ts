import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { OperatorsService, type OperatorRole, totpGenerate } from '@app/operators';

// Helpers for any e2e test of the admin API: make an operator of a given role
// and get a bearer token for it, to build role / BOLA matrices.
export interface TestOperator {
  operatorId: string;
  email: string;
  password: string;
  role: OperatorRole;
  token: string; // access token (oba_…), for `Authorization: Bearer`
  refreshToken: string;
}

export interface CreateOperatorOptions {
  role?: OperatorRole;
  email?: string;
  password?: string;
  displayName?: string;
}

let counter = 0;

export const bearer = (token: string): { Authorization: string } => ({ Authorization: `Bearer ${token}` });

export async function createOperator(
  app: INestApplication,
  options: CreateOperatorOptions = {},
): Promise<TestOperator> {
  counter += 1;
  const role = options.role ?? 'operator';
  const email = options.email ?? `${role}-${counter}-${randomBytes(3).toString('hex')}@test.example`;
  const password = options.password ?? `pw-${randomBytes(12).toString('base64url')}`;
  const { operator } = await app
    .get(OperatorsService)
    .create(
      { email, displayName: options.displayName ?? `Test ${role} ${counter}`, role, password },
      { actor: { type: 'system', label: 'test' } },
    );
  const tokens = await login(app, email, password);
  return {
    operatorId: operator.id,
    email,
    password,
    role,
    token: tokens.accessToken,
    refreshToken: tokens.refreshToken,
  };
}

export async function login(
  app: INestApplication,
  email: string,
  password: string,
): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await request(app.getHttpServer()).post('/api/v1/auth/login').send({ email, password });
  if (res.status !== 200 || !res.body.accessToken) {
    throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
}

// Enrols and confirms TOTP for the operator behind `token`; returns the secret
// (to make codes with totpCode) and the recovery codes.
export async function enableTotp(
  app: INestApplication,
  token: string,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const enrol = await request(app.getHttpServer())
    .post('/api/v1/auth/2fa/enrol')
    .set(bearer(token))
    .expect(200);
  const secret: string = enrol.body.secret;
  const confirm = await request(app.getHttpServer())
    .post('/api/v1/auth/2fa/confirm')
    .set(bearer(token))
    .send({ code: await totpCode(secret) })
    .expect(200);
  return { secret, recoveryCodes: confirm.body.recoveryCodes };
}

export function totpCode(secret: string, at: Date = new Date()): Promise<string> {
  return totpGenerate(secret, Math.floor(at.getTime() / 1000));
}

// For tests that compare codes of neighbouring steps: returns once the current 30 s TOTP step has
// at least `needMs` left, so no step boundary falls between making a code and the server checking
// it (with Argon2 logins in between, a test can take several seconds).
export async function awaitRoomInTotpStep(needMs = 20_000): Promise<void> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
