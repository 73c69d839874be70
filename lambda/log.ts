/**
 * Structured JSON logs. Spec, status messages and outputs are sensitive in Proton's model: they are never
 * logged whole, only their length, so a log reader learns that they changed but not what they say.
 */

const SENSITIVE = new Set(['spec', 'Spec', 'deploymentStatusMessage', 'DeploymentStatusMessage', 'outputs', 'statusMessage']);

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SENSITIVE.has(k) && v !== undefined ? `[redacted: ${String(v).length} chars]` : redact(v)]),
    );
  }
  return value;
}

function write(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Record<string, unknown>): void {
  // Lambda's JSON log format keeps a JSON line as is; one line per event keeps logs queryable.
  console.log(JSON.stringify({ level, message, ...(redact(fields) as object) }));
}

export const log = {
  info: (message: string, fields: Record<string, unknown> = {}) => write('INFO', message, fields),
  warn: (message: string, fields: Record<string, unknown> = {}) => write('WARN', message, fields),
  error: (message: string, fields: Record<string, unknown> = {}) => write('ERROR', message, fields),
};

