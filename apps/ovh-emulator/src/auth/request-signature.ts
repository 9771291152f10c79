import { verifyOvhSignature } from '@app/ovh-protocol';

export interface RequestSignatureInput {
  origins: readonly string[];
  target: string;
  appSecret: string;
  consumerKey: string;
  method: string;
  body: Buffer;
  timestamp: string;
  signature: string;
}

// The signed URL is <origin> + raw request target; any accepted origin may have been used.
export function verifyRequestSignature(input: RequestSignatureInput): boolean {
  return input.origins.some((origin) =>
    verifyOvhSignature({
      appSecret: input.appSecret,
      consumerKey: input.consumerKey,
      method: input.method,
      url: origin + input.target,
      body: input.body,
      timestamp: input.timestamp,
      signature: input.signature,
    }),
  );
}

// Configured public origin, the origin the client actually reached, and https://host without
// port, which is what node-ovh signs whatever port it connects to (ovh-api.md §1.8).
export function acceptedOrigins(
  publicBaseUrl: string | undefined,
  host: string | undefined,
  tls: boolean,
): string[] {
  const origins = new Set<string>();
  if (publicBaseUrl) origins.add(publicBaseUrl);
  if (host && /^[A-Za-z0-9.\-:[\]]+$/.test(host)) {
    origins.add(`${tls ? 'https' : 'http'}://${host}`);
    origins.add(`https://${host.replace(/:\d+$/, '')}`);
  }
  return [...origins];
}
