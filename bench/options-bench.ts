/**
 * What each ServiceInstanceProvider option costs at synth: whole-process synth time and template size of a stack
 * with N instances, the provider configured with one option at a time (and with all of them), against the
 * default provider, in fresh `node` processes interleaved round by round.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROVIDER_OPTION_ENV, PROVIDER_OPTIONS } from './apps/provider-options-app';
import { measureProcess } from './measure';
import { median, progress } from './stats';
import { VALIDATION_ENV } from './synth-bench';

export interface OptionResult {
  readonly option: string;
  readonly wallMs: number[];
  readonly templateBytes: number;
  readonly resources: number;
}

export async function runOptionsBench(jsDir: string, n: number, rounds: number): Promise<OptionResult[]> {
  const child = path.join(jsDir, 'bench', 'synth-child.js');
  const results = new Map<string, OptionResult>();
  for (let round = 0; round < rounds; round++) {
    const order = PROVIDER_OPTIONS.map((_, i) => PROVIDER_OPTIONS[(i + round) % PROVIDER_OPTIONS.length]);
    for (const option of order) {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-bench-out-'));
      const env = { ...process.env, ...VALIDATION_ENV, [PROVIDER_OPTION_ENV]: option };
      const m = await measureProcess([process.execPath, child, 'provider-options', String(n), outdir], env);
      const text = fs.readFileSync(path.join(outdir, 'Bench.template.json'), 'utf8');
      const result = results.get(option) ?? {
        option,
        wallMs: [],
        templateBytes: Buffer.byteLength(text),
        resources: Object.keys((JSON.parse(text) as { Resources: object }).Resources).length,
      };
      result.wallMs.push(m.wallMs);
      results.set(option, result);
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    progress(`provider options: round ${round + 1}/${rounds} done`);
  }
  return PROVIDER_OPTIONS.map((o) => results.get(o)!);
}

/** The median of the per-round ratios of an option's synth time to the default provider's. */
export function ratioToDefault(results: readonly OptionResult[], option: OptionResult): number {
  const base = results.find((r) => r.option === 'default')!;
  return median(option.wallMs.map((ms, i) => ms / base.wallMs[i]));
}
