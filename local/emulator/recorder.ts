import { AccessDenial } from '../iam/authorize';

/** One call as the emulator saw it. */
export interface RecordedCall {
  /** Epoch milliseconds when the request arrived. */
  readonly at: number;
  readonly operation: string;
  /** The request body as parsed JSON (`{ rawBody }` when it was not a JSON object). */
  readonly input: Readonly<Record<string, any>>;
  /** HTTP status answered; 0 when the connection was dropped. */
  readonly status: number;
  readonly error?: string;
  /** For a call IAM denied (error AccessDeniedException): the permission that was missing, and why. */
  readonly accessDenied?: AccessDenial;
}

export class Recorder {
  public readonly calls: RecordedCall[] = [];

  public record(call: RecordedCall): void {
    this.calls.push(call);
  }

  public callsTo(operation: string): RecordedCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  public reset(): void {
    this.calls.length = 0;
  }
}
