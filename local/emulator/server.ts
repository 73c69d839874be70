import { randomUUID } from 'crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { ProtonAuthorization } from './authorization';
import { ErrorName, ProtonError } from './errors';
import { Faults } from './faults';
import { HANDLERS } from './operations';
import { Recorder } from './recorder';
import { ProtonState } from './state/store';
import { RequestValidator } from './validate';
import { readBody } from '../http-body';
import { AccessDenial } from '../iam/authorize';
import { accessKeyIdOf } from '../iam/sigv4';
import { listenOn, stopListening } from '../listening';

export interface ServerParts {
  readonly state: ProtonState;
  readonly validator: RequestValidator;
  readonly faults: Faults;
  readonly recorder: Recorder;
  readonly authorization: ProtonAuthorization;
  /** X-Amz-Target prefix from the model's metadata, e.g. AwsProton20200720. */
  readonly targetPrefix: string;
}

const JSON_10 = 'application/x-amz-json-1.0';

/**
 * The awsJson1_0 front end: routing, fault injection, validation, IAM authorization, then the operation handler.
 * Authorization comes after validation, as in AWS's service front ends: the resource ARN is built from the input's
 * names, which only validation makes sure are well formed (a name with `/` would otherwise forge another ARN).
 */
export class ProtonHttpServer {
  public readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly parts: ServerParts) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        // Only reached when writing the answer itself failed (socket gone); nothing left to tell the client.
        if (!res.headersSent) res.destroy(err as Error);
      });
    });
  }

  public async listen(host: string, port: number): Promise<number> {
    return listenOn(this.server, host, port);
  }

  public async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await stopListening(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { state, validator, faults, recorder, authorization, targetPrefix } = this.parts;
    const at = state.now();
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(`${targetPrefix}.`) ? target.slice(targetPrefix.length + 1) : target;
    let input: unknown;
    try {
      input = body.length > 0 ? JSON.parse(body) : {};
    } catch {
      input = body;
    }
    let denial: AccessDenial | undefined;
    const recorded = isJsonObject(input) ? input : { rawBody: body };
    const answer = (status: number, payload: unknown, error?: ErrorName) => {
      const text = JSON.stringify(payload);
      const headers: Record<string, string | number> = {
        'content-type': JSON_10,
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': randomUUID(),
        // The emulator's own time: an SDK that finds the Date header far from its clock corrects for skew and
        // retries errors as clock-skew errors, so on a virtual clock a real-time Date would slow every error down.
        'date': new Date(state.now()).toUTCString(),
      };
      if (error) headers['x-amzn-errortype'] = error;
      res.writeHead(status, headers);
      res.end(text);
      recorder.record({ at, operation, input: recorded, status, ...(error ? { error } : {}), ...(denial ? { accessDenied: denial } : {}) });
    };

    try {
      if (faults.isUnavailable) {
        throw new ProtonError('AccessDeniedException', 'AWS Proton is not available to this account: the service has reached end of support (emulated)');
      }
      if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') {
        throw new ProtonError('UnknownOperationException', `${req.method} ${req.url} is not an awsJson1_0 call (expected POST /)`);
      }
      if (!req.headers.authorization) {
        throw new ProtonError('MissingAuthenticationTokenException', 'Missing Authentication Token');
      }
      const handler = target.startsWith(`${targetPrefix}.`) ? HANDLERS[operation] : undefined;
      if (!handler) throw new ProtonError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target header)'}`);
      if (!String(req.headers['content-type'] ?? '').startsWith(JSON_10)) {
        throw new ProtonError('SerializationException', `Content-Type must be ${JSON_10}`);
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new ProtonError('SerializationException', 'Request body is not a JSON object');
      }

      const delay = faults.delayFor(operation);
      if (delay > 0) await this.sleep(delay);
      const fault = faults.check(operation);
      if (fault?.kind === 'drop') {
        recorder.record({ at, operation, input: recorded, status: 0, error: 'ConnectionDropped' });
        req.socket.destroy();
        return;
      }
      if (fault) throw new ProtonError(fault.error, fault.message);

      validator.validate(operation, input);
      denial = authorization.check(operation, input as Record<string, unknown>, state, accessKeyIdOf(req.headers.authorization), at);
      if (denial) throw new ProtonError('AccessDeniedException', denial.message);
      answer(200, handler(state, input as Record<string, unknown>));
    } catch (err) {
      if (err instanceof ProtonError) {
        answer(err.status, { __type: err.errorName, message: err.message }, err.errorName);
      } else {
        answer(500, { __type: 'InternalServerException', message: `Emulator bug: ${(err as Error).message}` }, 'InternalServerException');
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}


function isJsonObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
