import { CloudFormationServiceException } from '@aws-sdk/client-cloudformation';
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

/**
 * Errors that mean "ask again later", each with the `Name: message` a timeout reports as the last error:
 * throttling, a modelled 5xx, an unmodelled 503, a dropped connection, and a non-Error the SDK wrapped.
 */
export const TRANSIENT_ERRORS: ReadonlyArray<readonly [string, () => Error, string]> = [
  ['ThrottlingException', SEED_ERRORS.ThrottlingException, 'ThrottlingException: Rate exceeded'],
  ['InternalServerException', SEED_ERRORS.InternalServerException, 'InternalServerException: Internal error'],
  ['an unmodelled 503', () => Object.assign(new Error('Service Unavailable'), { name: 'Unknown', $metadata: { httpStatusCode: 503 } }), 'Unknown: Service Unavailable'],
  ['ECONNRESET', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'Error: socket hang up'],
  ['a wrapped non-Error', () => new Error('AWS SDK error wrapper for TimeoutError: socket hang up'), 'Error: AWS SDK error wrapper for TimeoutError: socket hang up'],
];

/** DescribeStacks refused: the handler role lacks cloudformation:DescribeStacks. */
export function describeStacksDenied(): Error {
  return new CloudFormationServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    message: 'User is not authorized to perform: cloudformation:DescribeStacks',
    $metadata: { httpStatusCode: 403 },
  });
}

/**
 * DescribeStacks failing in ways that pass (after the SDK's own retries): CloudFormation's throttling, a 5xx, and a
 * dropped connection. The handler then decides without the stack status.
 */
export const DESCRIBE_STACKS_TRANSIENT: ReadonlyArray<readonly [string, () => Error]> = [
  ['Throttling', () => new CloudFormationServiceException({ name: 'Throttling', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } })],
  ['InternalFailure', () => new CloudFormationServiceException({ name: 'InternalFailure', $fault: 'server', message: 'Internal failure', $metadata: { httpStatusCode: 500 } })],
  ['ECONNRESET', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
];
