// Minimal typing for the official node client (it ships none).
declare module 'ovh' {
  interface OvhClientParams {
    appKey: string;
    appSecret: string;
    consumerKey?: string;
    host?: string;
    port?: number;
    basePath?: string;
    endpoint?: string;
    timeout?: number;
  }
  interface OvhClient {
    consumerKey: string | null;
    requestPromised<T = unknown>(method: string, path: string, params?: Record<string, unknown>): Promise<T>;
  }
  function ovh(params: OvhClientParams): OvhClient;
  export = ovh;
}
