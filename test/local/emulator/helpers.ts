import { request } from 'http';
import { ProtonClient } from '@aws-sdk/client-proton';
import { EmulatorOptions, ProtonEmulator } from '../../../local/emulator';

/** A clock the test moves by hand, so timelines run without sleeping. */
export class ManualClock {
  public ms = Date.UTC(2026, 0, 1);
  public readonly now = () => this.ms;

  public advance(ms: number): void {
    this.ms += ms;
  }
}

export function clientFor(emulator: ProtonEmulator, maxAttempts = 1): ProtonClient {
  return new ProtonClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts,
  });
}

/** Starts an emulator per test file and stops it (and the client's sockets) afterwards. */
export function useEmulator(options: EmulatorOptions = {}, maxAttempts = 1) {
  const ctx = {} as { emulator: ProtonEmulator; client: ProtonClient };
  beforeEach(async () => {
    ctx.emulator = await ProtonEmulator.start(options);
    ctx.client = clientFor(ctx.emulator, maxAttempts);
  });
  afterEach(async () => {
    ctx.client.destroy();
    await ctx.emulator.stop();
  });
  return ctx;
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function errorOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export const INSTANCE_SPEC = 'proton: ServiceSpec\ninstances:\n  - name: web\n    environment: dev\n    spec:\n      port: 80\n';

/** Bypasses the SDK, whose serializer would drop unknown members. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: { __type?: string; message: string };
}

export function rawCall(endpoint: string, operation: string, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AwsProton20200720.${operation}`,
        'authorization': 'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/proton/aws4_request, SignedHeaders=host, Signature=0',
        ...headers,
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf-8')) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
