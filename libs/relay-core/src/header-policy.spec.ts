import { clientResponseHeaders, HeaderPolicyError, upstreamRequestHeaders } from './header-policy';

describe('header policy', () => {
  describe(upstreamRequestHeaders.name, () => {
    it('forwards only content negotiation, user agent and pagination headers', () => {
      const out = upstreamRequestHeaders({
        accept: 'application/json',
        'content-type': 'application/json',
        'user-agent': 'ovh-sdk',
        'x-pagination-size': '50',
        'x-pagination-cursor': 'abc',
        authorization: 'Bearer obg_secret',
        cookie: 'session=1',
        'x-ovh-application': 'AK',
        'x-ovh-consumer': 'CK',
        'x-ovh-signature': '$1$x',
        'x-ovh-timestamp': '1',
        'x-forwarded-for': '10.0.0.1',
        'x-forwarded-host': 'evil.example',
        forwarded: 'for=1.2.3.4',
        'proxy-authorization': 'Basic x',
        upgrade: 'websocket',
        te: 'trailers',
        connection: 'keep-alive',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'content-length': '12',
        host: 'relay.example',
        via: '1.1 proxy',
      });
      expect(out).toEqual({
        accept: 'application/json',
        'content-type': 'application/json',
        'user-agent': 'ovh-sdk',
        'x-pagination-size': '50',
        'x-pagination-cursor': 'abc',
      });
    });

    it('drops a header the client named in Connection (hop-by-hop)', () => {
      const out = upstreamRequestHeaders({
        connection: 'X-Pagination-Size, close',
        'x-pagination-size': '5',
      });
      expect(out).toEqual({});
    });

    it('refuses CR, LF or NUL in a forwarded value (H4)', () => {
      expect(() =>
        upstreamRequestHeaders({ 'content-type': 'application/json\r\nX-Ovh-Consumer: x' }),
      ).toThrow(HeaderPolicyError);
      expect(() => upstreamRequestHeaders({ accept: 'a\u0000b' })).toThrow(HeaderPolicyError);
    });
  });

  describe(clientResponseHeaders.name, () => {
    it('passes content-type, query id and pagination, drops cookies, redirects and hop-by-hop', () => {
      const out = clientResponseHeaders({
        'content-type': 'application/json; charset=utf-8',
        'x-ovh-queryid': 'EU.ext-1.abc',
        'x-pagination-cursor-next': 'n',
        'set-cookie': ['a=b'],
        location: 'http://169.254.169.254/',
        connection: 'keep-alive',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'content-length': '10',
        server: 'nginx',
        'x-powered-by': 'php',
        'x-ovh-internal': 'secret',
      });
      expect(out).toEqual({
        'content-type': 'application/json; charset=utf-8',
        'x-ovh-queryid': 'EU.ext-1.abc',
        'x-pagination-cursor-next': 'n',
      });
    });
  });
});
