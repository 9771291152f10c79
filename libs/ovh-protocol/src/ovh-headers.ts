export const OVH_HEADER_APPLICATION = 'X-Ovh-Application';
export const OVH_HEADER_CONSUMER = 'X-Ovh-Consumer';
export const OVH_HEADER_TIMESTAMP = 'X-Ovh-Timestamp';
export const OVH_HEADER_SIGNATURE = 'X-Ovh-Signature';
export const OVH_HEADER_QUERY_ID = 'X-Ovh-Queryid';

export const OVH_HEADERS = {
  application: OVH_HEADER_APPLICATION,
  consumer: OVH_HEADER_CONSUMER,
  timestamp: OVH_HEADER_TIMESTAMP,
  signature: OVH_HEADER_SIGNATURE,
  queryId: OVH_HEADER_QUERY_ID,
} as const;

// Node lowercases incoming header names; use these when reading IncomingMessage.headers.
export const OVH_HEADERS_LOWER = {
  application: 'x-ovh-application',
  consumer: 'x-ovh-consumer',
  timestamp: 'x-ovh-timestamp',
  signature: 'x-ovh-signature',
  queryId: 'x-ovh-queryid',
} as const;
