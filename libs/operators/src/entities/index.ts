import { ApiTokenEntity } from './api-token.entity';
import { OperatorEntity } from './operator.entity';
import {
  MfaChallengeEntity,
  OperatorSessionEntity,
  RecoveryCodeEntity,
  SessionTokenEntity,
} from './session.entities';

export {
  ApiTokenEntity,
  MfaChallengeEntity,
  OperatorEntity,
  OperatorSessionEntity,
  RecoveryCodeEntity,
  SessionTokenEntity,
};

export const OPERATOR_ENTITIES = [
  OperatorEntity,
  OperatorSessionEntity,
  SessionTokenEntity,
  MfaChallengeEntity,
  RecoveryCodeEntity,
  ApiTokenEntity,
];
