import { randomUUID } from 'crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { stackResourceForName } from './arn';
import {
  accessDenied, CloudFormationError, InjectableErrorCode, invalidAction, missingAction, missingAuthenticationToken, stackDoesNotExist,
  validationError,
} from './errors';
import { QueryFaults } from './faults';
import { API_VERSION, describeStacksResponse, errorResponse } from './responses';
import { CloudFormationApiOptions } from './types';
import { readBody } from '../http-body';
import { AccessDenial, AuthorizationProblem, firstDenial } from '../iam/authorize';
import { accessKeyIdOf } from '../iam/sigv4';
import { Authorizer } from '../iam/types';
import { listenOn, Reachability } from '../listening';

/** One call as the API saw it. */
export interface RecordedQueryCall {
  /** Epoch milliseconds when the request arrived. */
  readonly at: number;
  /** The awsQuery Action ('' when the request had none). */
  readonly action: string;
  readonly stackName?: string;
  /** From the SigV4 Authorization header. */
  readonly accessKeyId?: string;
  readonly status: number;
  /** The error Code answered (AccessDenied, ValidationError, Throttling, ...). */
  readonly error?: string;
  /** For AccessDenied: the permission that was missing and why. */
  readonly accessDenied?: AccessDenial;
}

/** The IAM action of the one operation served. */
const DESCRIBE_STACKS = 'cloudformation:DescribeStacks';

/**
 * The part of the CloudFormation query API (awsQuery: form-encoded `Action=...&Version=2010-05-15` requests, XML
 * answers) a custom-resource handler uses: DescribeStacks of one stack, authorized like every AWS call.
 */
export class CloudFormationApi {
  public static async start(options: CloudFormationApiOptions): Promise<CloudFormationApi> {
    const api = new CloudFormationApi(options);
    api.port = await listenOn(api.server, api.host, options.port ?? 0);
    api.endpoint = `http://${api.host}:${api.port}`;
    return api;
  }

  /** `http://127.0.0.1:PORT`, for the SDK's `endpoint` or AWS_ENDPOINT_URL_CLOUDFORMATION. */
  public endpoint = '';
  public port = 0;
  /** Every call received, in order. */
  public readonly calls: RecordedQueryCall[] = [];
  /** Calls the local IAM evaluation could not decide; a test should fail when this is not empty. */
  public readonly authorizationProblems: AuthorizationProblem[] = [];
  private readonly faults = new QueryFaults();
  private readonly server: Server;
  private readonly region: string;
  private readonly account: string;
  private authorizer?: Authorizer;
  private readonly reachability: Reachability;
  private readonly host: string;

  private constructor(private readonly options: CloudFormationApiOptions) {
    this.authorizer = options.authorizer;
    this.host = options.host ?? '127.0.0.1';
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '123456789012';
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        // Only reached when writing the answer itself failed (socket gone); nothing left to tell the client.
        if (!res.headersSent) res.destroy(err as Error);
      });
    });
    this.reachability = new Reachability(this.server, this.host, () => this.port);
  }

  /** Replaces the authorizer (undefined: every call allowed). */
  public setAuthorizer(authorizer: Authorizer | undefined): void {
    this.authorizer = authorizer;
  }

  /** The next `count` DescribeStacks calls answer `code` (default Throttling, a 400 the SDK retries). */
  public failNext(count: number, code: InjectableErrorCode = 'Throttling', message?: string): this {
    this.faults.failNext(count, code, message);
    return this;
  }

  public clearFaults(): this {
    this.faults.clear();
    return this;
  }

  /** Whether clients can connect: unreachable, the port refuses every connection (see ../listening.ts). */
  public setReachable(reachable: boolean): Promise<void> {
    return this.reachability.set(reachable);
  }

  public async stop(): Promise<void> {
    await this.reachability.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const now = this.options.now ?? Date.now;
    const at = now();
    const body = await readBody(req);
    // awsQuery parameters come in the form body (the SDK's POST) or, for GET, in the query string.
    const params = new URLSearchParams(req.method === 'GET' ? new URL(req.url ?? '/', 'http://local').search : body);
    const action = params.get('Action') ?? '';
    const stackName = params.get('StackName') ?? undefined;
    const accessKeyId = accessKeyIdOf(req.headers.authorization);
    const requestId = randomUUID();
    const answer = (status: number, xml: string, error?: string, accessDeniedBy?: AccessDenial) => {
      // Date on the API's clock, like the emulator's (see its server.ts): no clock-skew correction in the SDK.
      res.writeHead(status, {
        'content-type': 'text/xml',
        'content-length': Buffer.byteLength(xml),
        'x-amzn-requestid': requestId,
        'date': new Date(at).toUTCString(),
      });
      res.end(xml);
      this.calls.push({
        at,
        action,
        status,
        ...(stackName !== undefined ? { stackName } : {}),
        ...(accessKeyId !== undefined ? { accessKeyId } : {}),
        ...(error ? { error } : {}),
        ...(accessDeniedBy ? { accessDenied: accessDeniedBy } : {}),
      });
    };

    let denial: AccessDenial | undefined;
    try {
      if (!req.headers.authorization) throw missingAuthenticationToken();
      if (!action) throw missingAction();
      if (action !== 'DescribeStacks' || params.get('Version') !== API_VERSION) throw invalidAction(action);
      const fault = this.faults.take();
      if (fault) throw fault;
      if (stackName === undefined) {
        throw validationError('The local CloudFormation API describes one stack at a time: DescribeStacks needs StackName (listing every stack is not emulated)');
      }
      const stack = this.options.describeStack(stackName);
      // Authorized before existence is revealed, as AWS does: a caller without the permission learns nothing.
      const resource = stack?.stackId ?? stackResourceForName(stackName, this.region, this.account);
      denial = firstDenial(this.authorizer, accessKeyId, [{ action: DESCRIBE_STACKS, resource }]);
      if (denial) {
        if (denial.reason === 'unsupported') this.authorizationProblems.push({ ...denial, at, operation: action });
        throw accessDenied(denial.message);
      }
      if (!stack) throw stackDoesNotExist(stackName);
      answer(200, describeStacksResponse(stack, requestId));
    } catch (err) {
      const error = err instanceof CloudFormationError
        ? err
        : new CloudFormationError('InternalFailure', 500, 'Receiver', `Local CloudFormation API bug: ${(err as Error).message}`);
      answer(error.status, errorResponse(error, requestId), error.code, denial);
    }
  }
}
