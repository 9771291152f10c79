import type { OperatorRole, Principal } from './principal';
import { roleAllows } from './guards';

const as = (role: OperatorRole): Principal => ({ kind: 'operator', operatorId: 'id', role, email: 'e' });

describe('roleAllows', () => {
  it('lets an admin call anything', () => {
    for (const required of [undefined, [], ['admin'], ['auditor']] as (OperatorRole[] | undefined)[]) {
      for (const method of ['GET', 'POST', 'DELETE'])
        expect(roleAllows(as('admin'), method, required)).toBe(true);
    }
  });

  it('lets every role read a route without @Roles, but an auditor only reads', () => {
    expect(roleAllows(as('operator'), 'POST', undefined)).toBe(true);
    expect(roleAllows(as('auditor'), 'GET', undefined)).toBe(true);
    expect(roleAllows(as('auditor'), 'head', undefined)).toBe(true);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(roleAllows(as('auditor'), method, undefined)).toBe(false);
    }
  });

  it('enforces @Roles: admin-only routes refuse operators; an auditor still reads them (read-all role)', () => {
    expect(roleAllows(as('operator'), 'GET', ['admin'])).toBe(false);
    expect(roleAllows(as('operator'), 'POST', ['admin'])).toBe(false);
    expect(roleAllows(as('auditor'), 'POST', ['admin'])).toBe(false);
    expect(roleAllows(as('auditor'), 'GET', ['admin'])).toBe(true);
    expect(roleAllows(as('operator'), 'POST', ['admin', 'operator'])).toBe(true);
  });

  it("lets an auditor write only where 'auditor' is listed", () => {
    expect(roleAllows(as('auditor'), 'POST', ['admin', 'operator', 'auditor'])).toBe(true);
    expect(roleAllows(as('auditor'), 'GET', ['auditor'])).toBe(true);
    expect(roleAllows(as('operator'), 'GET', ['auditor'])).toBe(false);
  });
});
