import { request } from 'http';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFormationApi, CloudFormationApiOptions, StackDescription } from '../../../local/cloudformation-api';

export const ACCOUNT = '123456789012';
export const STACK_ID = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/app/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
export const DELETED_ID = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/old/11111111-2222-3333-4444-555555555555`;

/** A live stack and a deleted one (found by id only, as CloudFormation finds deleted stacks). */
export const STACKS: StackDescription[] = [
  {
    stackId: STACK_ID,
    stackName: 'app',
    status: 'UPDATE_ROLLBACK_IN_PROGRESS',
    statusReason: 'The following resource(s) failed to update: [Instance]. ',
    creationTime: new Date('2026-01-01T10:00:00.123Z'),
    lastUpdatedTime: new Date('2026-01-02T11:30:00.456Z'),
  },
  {
    stackId: DELETED_ID,
    stackName: 'old',
    status: 'DELETE_COMPLETE',
    creationTime: new Date('2025-12-01T00:00:00.000Z'),
    deletionTime: new Date('2025-12-02T00:00:00.000Z'),
  },
];

export function describeFrom(stacks: StackDescription[]): (nameOrId: string) => StackDescription | undefined {
  return (nameOrId) => stacks.find((s) => s.stackId === nameOrId || (s.stackName === nameOrId && s.status !== 'DELETE_COMPLETE'));
}

export function clientFor(api: CloudFormationApi, accessKeyId = 'AKIAHANDLER', maxAttempts = 1): CloudFormationClient {
  return new CloudFormationClient({ endpoint: api.endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'local' }, maxAttempts });
}

/** Starts an API per test with the stacks above (options may replace any part) and stops it after. */
export function useApi(options: Partial<CloudFormationApiOptions> = {}) {
  const ctx = {} as { api: CloudFormationApi; client: CloudFormationClient };
  beforeEach(async () => {
    ctx.api = await CloudFormationApi.start({ describeStack: describeFrom(STACKS), ...options });
    ctx.client = clientFor(ctx.api);
  });
  afterEach(async () => {
    ctx.client.destroy();
    await ctx.api.stop();
  });
  return ctx;
}

export type ServiceError = Error & { $metadata?: { httpStatusCode?: number; attempts?: number }; $fault?: string };

export async function errorOf(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export const SIGNED = 'AWS4-HMAC-SHA256 Credential=AKIARAW/20260101/us-east-1/cloudformation/aws4_request, SignedHeaders=host, Signature=0';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: string;
}

/** A request without the SDK, to see the wire format (and send what the SDK never would). */
export function rawQuery(endpoint: string, body: string, headers: Record<string, string> = { authorization: SIGNED }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf-8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
