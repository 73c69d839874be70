/** Errors of the local services, shaped like the AWS SDK v3's service exceptions (name, message, $metadata, $fault). */
import { randomUUID } from 'crypto';

export interface ServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId: string; readonly attempts: number; readonly totalRetryDelay: number };
}

export function serviceError(name: string, message: string, httpStatusCode: number): ServiceError {
  const e = new Error(message) as Error & { $fault: string; $metadata: unknown };
  e.name = name;
  e.$fault = httpStatusCode >= 500 ? 'server' : 'client';
  e.$metadata = { httpStatusCode, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 };
  return e as ServiceError;
}

export function isServiceError(e: unknown): e is ServiceError {
  return e instanceof Error && typeof (e as Partial<ServiceError>).$metadata?.httpStatusCode === 'number';
}
