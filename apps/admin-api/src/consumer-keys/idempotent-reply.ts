import type { Response } from 'express';
import type { ConsumerKeyRequestResult } from '@app/consumer-keys';

export const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Retrying with the same key never creates a second upstream key; another body gets 422',
};

// Request, renewal and replacement answer alike: the key, flagged when it replays an earlier answer.
export function idempotentReply(
  res: Response,
  result: ConsumerKeyRequestResult,
): ConsumerKeyRequestResult['key'] {
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return result.key;
}
