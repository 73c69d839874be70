import {
  AccessDeniedException,
  ConflictException,
  InternalServerException,
  ResourceNotFoundException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-proton';

/** The six errors every Proton call in the lifecycle can meet, as the SDK raises them. */
export const SEED_ERRORS = {
  ValidationException: () => new ValidationException({ message: 'spec is invalid at line 3', $metadata: { httpStatusCode: 400 } }),
  AccessDeniedException: () => new AccessDeniedException({ message: 'User is not authorized', $metadata: { httpStatusCode: 403 } }),
  ThrottlingException: () => new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }),
  ConflictException: () => new ConflictException({ message: 'Resource is busy', $metadata: { httpStatusCode: 409 } }),
  ResourceNotFoundException: () => new ResourceNotFoundException({ message: 'Service not found', $metadata: { httpStatusCode: 404 } }),
  InternalServerException: () => new InternalServerException({ message: 'Internal error', $metadata: { httpStatusCode: 500 } }),
};

export type SeedErrorName = keyof typeof SEED_ERRORS;
export const SEED_ERROR_NAMES = Object.keys(SEED_ERRORS) as SeedErrorName[];
