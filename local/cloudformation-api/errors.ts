/**
 * CloudFormation's query errors: an HTTP status, `Sender` (the caller's fault) or `Receiver` (the service's), a Code
 * the SDK turns into the error's name, and a message.
 */

export type ErrorType = 'Sender' | 'Receiver';

export class CloudFormationError extends Error {
  constructor(
    public readonly code: string,
    public readonly status: number,
    public readonly type: ErrorType,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Errors a test can inject with `failNext`: AWS's common query errors, with their documented messages. Throttling is
 * a 400 (not 429) in CloudFormation; the SDK still retries it, by its code.
 */
export const INJECTABLE_ERRORS = {
  Throttling: { status: 400, type: 'Sender', message: 'Rate exceeded' },
  InternalFailure: { status: 500, type: 'Receiver', message: 'The request processing has failed because of an unknown error, exception or failure.' },
  ServiceUnavailable: { status: 503, type: 'Receiver', message: 'The request has failed due to a temporary failure of the server.' },
} as const satisfies Record<string, { status: number; type: ErrorType; message: string }>;

export type InjectableErrorCode = keyof typeof INJECTABLE_ERRORS;

export function injected(code: InjectableErrorCode, message?: string): CloudFormationError {
  const known = INJECTABLE_ERRORS[code];
  if (!known) throw new Error(`failNext: ${String(code)} is not one of ${Object.keys(INJECTABLE_ERRORS).join(', ')}`);
  return new CloudFormationError(code, known.status, known.type, message ?? known.message);
}

/** DescribeStacks of a stack CloudFormation does not know: the name or id echoed as given. */
export const stackDoesNotExist = (nameOrId: string) => new CloudFormationError('ValidationError', 400, 'Sender', `Stack with id ${nameOrId} does not exist`);

export const validationError = (message: string) => new CloudFormationError('ValidationError', 400, 'Sender', message);

/** An Action the API does not have (the common query error). */
export const invalidAction = (action: string) => new CloudFormationError('InvalidAction', 400, 'Sender', `The action ${action} is not valid for this web service.`);

export const missingAction = () => new CloudFormationError('MissingAction', 400, 'Sender', 'The request is missing an action or a required parameter.');

export const missingAuthenticationToken = () => new CloudFormationError('MissingAuthenticationToken', 403, 'Sender', 'Request is missing Authentication Token');

/** A denial; the message is IAM's (see local/iam/messages.ts). */
export const accessDenied = (message: string) => new CloudFormationError('AccessDenied', 403, 'Sender', message);
