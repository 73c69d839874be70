/**
 * HTTP status of each modelled Proton error. botocore's model carries no httpStatusCode for
 * these shapes; the values come from the Smithy model's @httpError traits (the same numbers the
 * JS SDK embeds in its schemas, which a test cross-checks).
 */
export const ERROR_HTTP_STATUS = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
  InternalServerException: 500,
} as const;

export type ModelledErrorName = keyof typeof ERROR_HTTP_STATUS;

/** Errors that are protocol-level rather than modelled: the SDK maps them to ProtonServiceException. */
export const PROTOCOL_ERROR_HTTP_STATUS = {
  UnknownOperationException: 400,
  SerializationException: 400,
  MissingAuthenticationTokenException: 403,
} as const;

export type ErrorName = ModelledErrorName | keyof typeof PROTOCOL_ERROR_HTTP_STATUS;

/** An error the emulator answers on the wire as `{"__type": name, "message": ...}`. */
export class ProtonError extends Error {
  public readonly status: number;

  constructor(public readonly errorName: ErrorName, message: string) {
    super(message);
    this.status = statusOf(errorName);
  }
}

export function statusOf(name: ErrorName): number {
  return (ERROR_HTTP_STATUS as Record<string, number>)[name] ?? (PROTOCOL_ERROR_HTTP_STATUS as Record<string, number>)[name];
}

export function isModelledError(name: string): name is ModelledErrorName {
  return Object.prototype.hasOwnProperty.call(ERROR_HTTP_STATUS, name);
}

export const validation = (message: string) => new ProtonError('ValidationException', message);
export const notFound = (message: string) => new ProtonError('ResourceNotFoundException', message);
export const conflict = (message: string) => new ProtonError('ConflictException', message);
