/**
 * The S3 side of custom resource responses: CloudFormation gives every request a presigned URL in its own bucket
 * and waits for the provider to PUT the response body there. The `https` module the sandboxed functions get
 * delivers PUTs to these URLs here; S3 answers 200 whether or not CloudFormation still waits for the body.
 */
import { createHash, randomUUID } from 'crypto';
import { VirtualClock } from './clock';
import { CfnResponseBody } from './types';

export interface ResponseRecord {
  readonly logicalId: string;
  readonly requestId: string;
  readonly requestType: string;
  /** Which delivery of the request CloudFormation was waiting for (2 for a duplicate delivery). */
  readonly delivery: number;
  /** Undefined when CloudFormation stopped waiting (ServiceTimeout, cancel) before a body arrived. */
  readonly body?: CfnResponseBody;
  readonly bytes?: number;
  /** The body arrived when CloudFormation no longer waited for it (S3 stored it all the same). */
  readonly late?: boolean;
  readonly at: Date;
}

export interface ResponseUrlRequest {
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly RequestId: string;
  readonly RequestType: string;
}

interface Entry {
  readonly request: ResponseUrlRequest;
  delivery: number;
  waiter?: (body: string) => void;
}

export class ResponseUrls {
  /** Every body PUT to a response URL, and every wait CloudFormation gave up, in order. */
  public readonly records: ResponseRecord[] = [];
  private readonly entries = new Map<string, Entry>();
  private readonly hostname: string;

  constructor(private readonly region: string, private readonly clock: VirtualClock) {
    this.hostname = `cloudformation-custom-resource-response-${region.replace(/-/g, '')}.s3.amazonaws.com`;
  }

  /** A presigned-looking URL for one request: `<bucket host>/<stack id>|<logical id>|<request id>?X-Amz-...`. */
  public create(request: ResponseUrlRequest): string {
    const key = encodeURIComponent(`${request.StackId}|${request.LogicalResourceId}|${request.RequestId}`).replace(/%2F/g, '/');
    const amzDate = new this.clock.Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const credential = encodeURIComponent(`AKIALOCALCFNRESPONSE/${amzDate.slice(0, 8)}/${this.region}/s3/aws4_request`);
    const signature = createHash('sha256').update(`${key}${randomUUID()}`).digest('hex');
    const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${amzDate}&X-Amz-SignedHeaders=host&X-Amz-Expires=7200`
      + `&X-Amz-Credential=${credential}&X-Amz-Signature=${signature}`;
    const url = `https://${this.hostname}/${key}?${query}`;
    this.entries.set(this.keyOf(this.hostname, `/${key}?${query}`), { request, delivery: 0 });
    return url;
  }

  public isResponseHost(hostname: string | undefined | null): boolean {
    return hostname === this.hostname;
  }

  /**
   * Resolves with the raw body of the next PUT to `url`, recorded as delivery `delivery`; or with undefined when
   * `signal` aborts first, recording that CloudFormation stopped waiting.
   */
  public nextBody(url: string, delivery: number, signal: AbortSignal): Promise<string | undefined> {
    const parsed = new URL(url);
    const entry = this.entries.get(this.keyOf(parsed.hostname, parsed.pathname + parsed.search));
    if (!entry) throw new Error(`${url} is not a response URL this CloudFormation issued`);
    entry.delivery = delivery;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(this.gaveUp(entry));
      const abort = () => {
        entry.waiter = undefined;
        resolve(this.gaveUp(entry));
      };
      signal.addEventListener('abort', abort, { once: true });
      entry.waiter = (body) => {
        signal.removeEventListener('abort', abort);
        resolve(body);
      };
    });
  }

  /** A PUT from a provider; answers the HTTP status S3 would (403 for a URL CloudFormation never presigned). */
  public put(hostname: string, path: string, body: string): number {
    const entry = this.entries.get(this.keyOf(hostname, path));
    if (!entry) return 403;
    const waiter = entry.waiter;
    entry.waiter = undefined;
    this.records.push({ ...this.recordBase(entry), body: parseBody(body), bytes: Buffer.byteLength(body, 'utf8'), late: !waiter || undefined });
    waiter?.(body);
    return 200;
  }

  private gaveUp(entry: Entry): undefined {
    this.records.push(this.recordBase(entry));
    return undefined;
  }

  private recordBase(entry: Entry) {
    const { LogicalResourceId, RequestId, RequestType } = entry.request;
    return { logicalId: LogicalResourceId, requestId: RequestId, requestType: RequestType, delivery: entry.delivery, at: new this.clock.Date() };
  }

  /** One spelling per URL, whatever escaping the client's URL parser applied. */
  private keyOf(hostname: string, path: string): string {
    const url = new URL(`https://${hostname}${path}`);
    return `${url.hostname}${decodeURIComponent(url.pathname)}?${url.searchParams.toString()}`;
  }
}

function parseBody(body: string): CfnResponseBody | undefined {
  try {
    return JSON.parse(body) as CfnResponseBody;
  } catch {
    return undefined;
  }
}
