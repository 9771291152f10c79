import { classifyOvhError, OVH_ERRORS, ovhErrorBody, parseOvhError } from './ovh-errors';

describe('ovhErrorBody', () => {
  it('builds the legacy format', () => {
    expect(ovhErrorBody('legacy', OVH_ERRORS.NOT_GRANTED_CALL)).toEqual({
      errorCode: 'NOT_GRANTED_CALL',
      httpCode: '403 Forbidden',
      message: 'This call has not been granted',
    });
  });

  it('builds the current format', () => {
    expect(ovhErrorBody('current', OVH_ERRORS.INVALID_SIGNATURE)).toEqual({
      class: 'Client::BadRequest',
      message: 'Invalid signature',
    });
  });

  it('omits errorCode when the error has none and derives a class from the status', () => {
    expect(ovhErrorBody('legacy', OVH_ERRORS.NOT_AUTHENTICATED)).toEqual({
      httpCode: '401 Unauthorized',
      message: 'You must login first',
    });
    expect(ovhErrorBody('current', { status: 404, message: 'x' })).toEqual({
      class: 'Client::NotFound',
      message: 'x',
    });
    expect(ovhErrorBody('current', { status: 503, message: 'x' })).toEqual({
      class: 'Server::ServiceUnavailable',
      message: 'x',
    });
  });
});

describe('parseOvhError', () => {
  it('reads the legacy format and the query id', () => {
    const parsed = parseOvhError(
      403,
      '{"message":"This call has not been granted","httpCode":"403 Forbidden","errorCode":"NOT_GRANTED_CALL"}',
      { 'x-ovh-queryid': 'EU.ext-3.1.2.abc' },
    );
    expect(parsed).toEqual({
      status: 403,
      errorCode: 'NOT_GRANTED_CALL',
      message: 'This call has not been granted',
      queryId: 'EU.ext-3.1.2.abc',
      kind: 'not-granted',
    });
  });

  it('reads the current format with details', () => {
    const parsed = parseOvhError(
      403,
      '{"class":"Client::Forbidden","message":"User not granted for this request","details":{"unauthorizedActionsByIAM":"vps:apiovh:reboot"}}',
      new Headers({ 'X-Ovh-Queryid': 'q1' }),
    );
    expect(parsed.class).toBe('Client::Forbidden');
    expect(parsed.details).toEqual({ unauthorizedActionsByIAM: 'vps:apiovh:reboot' });
    expect(parsed.queryId).toBe('q1');
    expect(parsed.kind).toBe('other');
  });

  it('keeps a non-JSON body as the message', () => {
    expect(parseOvhError(502, '<html>Bad gateway</html>')).toMatchObject({
      message: '<html>Bad gateway</html>',
      kind: 'other',
    });
    expect(parseOvhError(503, '').message).toBe('503 Service Unavailable');
  });

  it.each([
    [400, '{"class":"Client::BadRequest","message":"Invalid signature"}', 'signature'],
    [400, '{"errorCode":"QUERY_TIME_OUT","httpCode":"400 Bad Request","message":"whatever"}', 'time'],
    [400, '{"class":"Client::BadRequest","message":"Query out of time"}', 'time'],
    [403, '{"class":"Client::Forbidden","message":"This credential is not valid"}', 'credential-invalid'],
    [403, '{"class":"Client::Forbidden","message":"This credential does not exist"}', 'not-credential'],
    [403, '{"class":"Client::Forbidden","message":"This call has not been granted"}', 'not-granted'],
    [403, '{"class":"Client::Forbidden","message":"Invalid application key"}', 'invalid-key'],
    [401, '{"message":"You must login first"}', 'not-authenticated'],
    [
      403,
      '{"errorCode":"FORBIDDEN","message":"This IP address is not allowed to use this credential"}',
      'ip-not-allowed',
    ],
    [404, '{"message":"This credential is not valid"}', 'other'],
  ])('classifies %i %s as %s without relying on errorCode only', (status, body, kind) => {
    expect(parseOvhError(status, body).kind).toBe(kind);
  });

  it('trusts errorCode when present', () => {
    expect(classifyOvhError(403, 'INVALID_CREDENTIAL', 'anything')).toBe('credential-invalid');
  });
});
