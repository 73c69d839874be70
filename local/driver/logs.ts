/**
 * What Lambda does with a function's console output: every line goes to the function's log group, except that
 * the JSON log format filters by level (`ApplicationLogLevel`). The store keeps every captured line, marked with
 * whether Lambda would keep it, so a test can look at both what the code printed and what CloudWatch would hold.
 */

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

const SEVERITY: Readonly<Record<LogLevel, number>> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5 };

/** The level the Node.js runtime gives each console method under the JSON log format. */
export const CONSOLE_LEVELS: Readonly<Record<string, LogLevel>> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  log: 'INFO',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
};

/** A function's `LoggingConfig`, with Lambda's defaults filled in. */
export interface LoggingSettings {
  readonly format: 'Text' | 'JSON';
  /** Only applies to the JSON format; Lambda's default there is INFO. */
  readonly applicationLogLevel: LogLevel;
  readonly logGroup: string;
}

export interface LogLine {
  /** On the driver's clock. */
  readonly timestamp: Date;
  readonly functionName: string;
  readonly logGroup: string;
  /** The Lambda request id of the invocation that printed it. */
  readonly requestId: string;
  readonly level: LogLevel;
  readonly message: string;
  /** False when the function's log level filters the line out: it never reaches CloudWatch. */
  readonly kept: boolean;
}

/** Reads a resolved `LoggingConfig` property; the log group defaults to `/aws/lambda/<function name>`. */
export function loggingSettings(functionName: string, config: unknown): LoggingSettings {
  const c = (config ?? {}) as { LogFormat?: unknown; ApplicationLogLevel?: unknown; LogGroup?: unknown };
  const format = c.LogFormat === 'JSON' ? 'JSON' : 'Text';
  const level = typeof c.ApplicationLogLevel === 'string' && c.ApplicationLogLevel in SEVERITY ? c.ApplicationLogLevel as LogLevel : 'INFO';
  const logGroup = typeof c.LogGroup === 'string' && c.LogGroup !== '' ? c.LogGroup : `/aws/lambda/${functionName}`;
  return { format, applicationLogLevel: level, logGroup };
}

/** Whether Lambda sends a line of this level to CloudWatch: the text format keeps everything. */
export function keepsLine(settings: LoggingSettings, level: LogLevel): boolean {
  return settings.format === 'Text' || SEVERITY[level] >= SEVERITY[settings.applicationLogLevel];
}

export class LogStore {
  private readonly all: LogLine[] = [];

  public append(line: LogLine): void {
    this.all.push(line);
  }

  /** The lines CloudWatch Logs would hold in this group, oldest first. */
  public kept(logGroup: string): LogLine[] {
    return this.all.filter((l) => l.logGroup === logGroup && l.kept);
  }

  /** Every captured line of this group, the filtered-out ones included. */
  public captured(logGroup: string): LogLine[] {
    return this.all.filter((l) => l.logGroup === logGroup);
  }

  /** Log groups that received at least one line Lambda keeps. */
  public groups(): string[] {
    return [...new Set(this.all.filter((l) => l.kept).map((l) => l.logGroup))];
  }
}
