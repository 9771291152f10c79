import { ovhDate } from './api-views';
import { escapeHtml } from './auth/consent-page';

describe('ovhDate', () => {
  it('formats ISO-8601 with an explicit offset and no milliseconds', () => {
    expect(ovhDate(Date.UTC(2017, 6, 11, 6, 7, 49, 999))).toBe('2017-07-11T06:07:49+00:00');
  });
});

describe('escapeHtml', () => {
  it('escapes markup characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
});
