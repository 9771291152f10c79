import { isPublicAddress, webhookUrlProblem } from './webhook-url';

describe('webhook URL guard', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.8',
    '192.168.1.1',
    '169.254.169.254',
    '::1',
    '::ffff:127.0.0.1',
    'fe80::1',
    '0.0.0.0',
  ])('treats %s as private', (ip) => expect(isPublicAddress(ip)).toBe(false));

  it.each(['8.8.8.8', '2a01:4f8::1'])('treats %s as public', (ip) => expect(isPublicAddress(ip)).toBe(true));

  it.each([
    ['ftp://example.com/hook', 'only http and https'],
    ['file:///etc/passwd', 'only http and https'],
    ['https://user:pw@example.com/', 'credentials'],
    ['not a url', 'not a valid URL'],
  ])('refuses %s', (url, problem) => expect(webhookUrlProblem(url)).toContain(problem));

  it('accepts an https URL', () => expect(webhookUrlProblem('https://hooks.example.com/broker')).toBeNull());
});
