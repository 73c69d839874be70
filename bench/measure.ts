/**
 * Runs one child process and measures it from outside: wall time from spawn to exit, and peak resident memory
 * from GNU time (`/usr/bin/time -f %M`) when it exists, else from the child's own report.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';

export const GNU_TIME = '/usr/bin/time';
export const HAS_GNU_TIME = fs.existsSync(GNU_TIME);

/** Marks GNU time's line in stderr, so it cannot be confused with the child's own output. */
const RSS_MARK = 'BENCH_MAX_RSS_KB=';

export interface ProcessMeasurement {
  readonly wallMs: number;
  /** Peak resident set size of the child, in KB. */
  readonly maxRssKb: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function measureProcess(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ProcessMeasurement> {
  const [cmd, ...rest] = HAS_GNU_TIME ? [GNU_TIME, '-f', `${RSS_MARK}%M`, ...args] : args;
  const started = process.hrtime.bigint();
  const child = spawn(cmd, rest, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (code !== 0) {
    throw new Error(`${args.join(' ')} exited with ${code}:\n${stderr.slice(-2000)}`);
  }
  return { wallMs, maxRssKb: readMaxRss(stdout, stderr), stdout, stderr };
}

function readMaxRss(stdout: string, stderr: string): number {
  const fromTime = stderr.split('\n').find((l) => l.startsWith(RSS_MARK));
  if (fromTime) return Number(fromTime.slice(RSS_MARK.length));
  // No GNU time: the child reports process.resourceUsage().maxRSS (KB) as `"maxRssKb"` in a JSON line.
  const reported = /"maxRssKb":(\d+)/.exec(stdout);
  return reported ? Number(reported[1]) : NaN;
}
