import { OVH_ERRORS, type OvhErrorName, type OvhErrorSpec } from '@app/ovh-protocol';

// Thrown anywhere in the emulator; the filter renders it in the configured OVH error style.
export class OvhHttpException extends Error {
  constructor(readonly spec: OvhErrorSpec) {
    super(spec.message);
    this.name = 'OvhHttpException';
  }

  static of(name: OvhErrorName): OvhHttpException {
    return new OvhHttpException(OVH_ERRORS[name]);
  }

  static badRequest(message: string): OvhHttpException {
    return new OvhHttpException({ status: 400, message, class: 'Client::BadRequest' });
  }

  static notFound(message: string): OvhHttpException {
    return new OvhHttpException({ status: 404, message, class: 'Client::NotFound' });
  }
}
