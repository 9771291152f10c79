import { DomainException } from '@app/common';

export const VAULT_ERROR_CODES = {
  sealed: 'VAULT_SEALED',
  decryptFailed: 'VAULT_DECRYPT_FAILED',
  rotationRunning: 'VAULT_ROTATION_RUNNING',
  rotationFailed: 'VAULT_ROTATION_FAILED',
} as const;

export type VaultErrorCode = (typeof VAULT_ERROR_CODES)[keyof typeof VAULT_ERROR_CODES];

export type DecryptFailure =
  | 'malformed'
  | 'unknown_key'
  | 'retired_key'
  | 'master_key_missing'
  | 'master_key_mismatch'
  | 'authentication_failed';

export function vaultSealed(reason: string): DomainException {
  return new DomainException({
    code: VAULT_ERROR_CODES.sealed,
    kind: 'unavailable',
    message: `The vault is sealed: ${reason}`,
  });
}

export function decryptFailed(reason: DecryptFailure): DomainException {
  return new DomainException({
    code: VAULT_ERROR_CODES.decryptFailed,
    kind: 'unavailable',
    message:
      'A stored secret cannot be decrypted: it was altered, moved, or sealed under a key that is not available',
    details: { reason },
  });
}
