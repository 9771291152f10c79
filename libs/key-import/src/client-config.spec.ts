import { ClientConfigError, normalizeClientConfig, parseOvhConf, readClientEnv } from './client-config';

const CONF = `
; python-ovh style
[default]
endpoint=ovh-eu

[ovh-eu]
application_key=7kbG7Bk7S9Nt7ZSV
application_secret=EXEgWIz07P0HYwtQDs7cNIqCiQaWSuHF
consumer_key=MtSwSrPpNjqfVSmJhLbPyr2i45lSwPU1

[ovh-ca]
application_key=other
`;

describe(parseOvhConf.name, () => {
  it('reads the keys of the endpoint named in [default]', () => {
    expect(parseOvhConf(CONF)).toEqual({
      endpoint: 'ovh-eu',
      applicationKey: '7kbG7Bk7S9Nt7ZSV',
      applicationSecret: 'EXEgWIz07P0HYwtQDs7cNIqCiQaWSuHF',
      consumerKey: 'MtSwSrPpNjqfVSmJhLbPyr2i45lSwPU1',
    });
  });

  it('accepts Windows line endings and an explicit endpoint choice', () => {
    const conf =
      '[default]\r\nendpoint = ovh-ca\r\n[ovh-ca]\r\napplication_key = a\r\napplication_secret = b\r\nconsumer_key = c\r\n';
    expect(parseOvhConf(conf)).toMatchObject({ endpoint: 'ovh-ca', applicationKey: 'a', consumerKey: 'c' });
  });

  it.each([
    ['[ovh-eu]\napplication_key=a\napplication_secret=b\nconsumer_key=c', /names no endpoint/],
    ['[default]\nendpoint=ovh-eu\n', /no \[ovh-eu\] section/],
    ['[default]\nendpoint=ovh-ca\n[ovh-ca]\napplication_key=other\n', /has no application_secret/],
    [
      '[default]\nendpoint=mars-1\n[mars-1]\napplication_key=a\napplication_secret=b\nconsumer_key=c',
      /unknown endpoint/,
    ],
  ])('refuses an incomplete file with a reason (%#)', (conf, reason) => {
    expect(() => parseOvhConf(conf)).toThrow(ClientConfigError);
    expect(() => parseOvhConf(conf)).toThrow(reason);
  });
});

describe(readClientEnv.name, () => {
  it('reads the OVH_* variables the official clients use', () => {
    expect(
      readClientEnv({
        OVH_ENDPOINT: 'http://127.0.0.1:3100/1.0',
        OVH_APPLICATION_KEY: ' ak ',
        OVH_APPLICATION_SECRET: 'as',
        OVH_CONSUMER_KEY: 'ck',
      }),
    ).toEqual({
      endpoint: 'http://127.0.0.1:3100/1.0',
      applicationKey: 'ak',
      applicationSecret: 'as',
      consumerKey: 'ck',
    });
  });

  it('names the missing variable', () => {
    expect(() =>
      readClientEnv({ OVH_ENDPOINT: 'ovh-eu', OVH_APPLICATION_KEY: 'a', OVH_CONSUMER_KEY: 'c' }),
    ).toThrow('OVH_APPLICATION_SECRET is not set');
  });
});

describe(normalizeClientConfig.name, () => {
  it('trims the fields of a typed triple and keeps a catalog endpoint name', () => {
    expect(
      normalizeClientConfig({
        endpoint: ' ovh-eu ',
        applicationKey: ' a ',
        applicationSecret: 'b',
        consumerKey: 'c\n',
      }),
    ).toEqual({ endpoint: 'ovh-eu', applicationKey: 'a', applicationSecret: 'b', consumerKey: 'c' });
  });

  it('names the missing field and refuses an unknown endpoint', () => {
    expect(() =>
      normalizeClientConfig({ endpoint: 'ovh-eu', applicationKey: 'a', consumerKey: 'c' }),
    ).toThrow('applicationSecret is missing');
    expect(() =>
      normalizeClientConfig({
        endpoint: 'mars-1',
        applicationKey: 'a',
        applicationSecret: 'b',
        consumerKey: 'c',
      }),
    ).toThrow(/unknown endpoint/);
  });
});
