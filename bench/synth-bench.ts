/**
 * Whole-process synth: for each N, every variant is synthesized in a fresh `node` process, the variants
 * interleaved within each round so that a slow moment of the machine hits all of them alike.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DISTINCT_SPECS_ENV } from './apps/instance-props';
import { measureProcess } from './measure';
import { progress } from './stats';

export const VARIANTS = ['construct', 'hand-rolled', 'bare', 'per-construct'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface SynthSample {
  readonly wallMs: number;
  readonly maxRssKb: number;
  /** Building the app and synthesizing it, timed inside the child (see synth-child.ts). */
  readonly inProcessMs: number;
}

export interface TemplateShape {
  readonly bytes: number;
  readonly lambdaFunctions: number;
  readonly resources: number;
}

export interface SynthResult {
  readonly variant: Variant;
  readonly n: number;
  /** Every instance had its own spec text (the extra pair of runs); otherwise all shared one. */
  readonly distinctSpecs: boolean;
  readonly samples: SynthSample[];
  readonly template: TemplateShape;
}

/** The switch that turns off aws-cdk-lib's built-in CloudFormation validation (≥ 2.275); set for every variant. */
export const VALIDATION_ENV = { CDK_VALIDATION: 'false' };

function readTemplate(outdir: string): TemplateShape {
  const file = path.join(outdir, 'Bench.template.json');
  const text = fs.readFileSync(file, 'utf8');
  const resources = Object.values((JSON.parse(text) as { Resources: Record<string, { Type: string }> }).Resources);
  return {
    bytes: Buffer.byteLength(text),
    lambdaFunctions: resources.filter((r) => r.Type === 'AWS::Lambda::Function').length,
    resources: resources.length,
  };
}

export async function runSynthBench(jsDir: string, counts: readonly number[], rounds: number): Promise<SynthResult[]> {
  const results = new Map<string, SynthResult>();
  const top = counts[counts.length - 1];
  // Every N in every round, so that sample i of each cell comes from the same stretch of time: the slope between
  // two N and its ratio between variants are then taken round by round, as the ratios at one N are.
  for (let round = 0; round < rounds; round++) {
    for (const n of counts) await runRound(jsDir, VARIANTS, n, round, false, results);
    // The construct checks each distinct spec once: its worst case is every spec different, measured for the two
    // variants that matter at the largest N.
    await runRound(jsDir, ['construct', 'hand-rolled'], top, round, true, results);
    progress(`synth round ${round + 1}/${rounds} done`);
  }
  return [...results.values()];
}

async function runRound(
  jsDir: string,
  variants: readonly Variant[],
  n: number,
  round: number,
  distinctSpecs: boolean,
  results: Map<string, SynthResult>,
): Promise<void> {
  const child = path.join(jsDir, 'bench', 'synth-child.js');
  const env = { ...process.env, ...VALIDATION_ENV, [DISTINCT_SPECS_ENV]: distinctSpecs ? '1' : '0' };
  // Rotate the order each round, so no variant always runs first (cold caches) or last.
  const order = variants.map((_, i) => variants[(i + round) % variants.length]);
  for (const variant of order) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-bench-out-'));
    const m = await measureProcess([process.execPath, child, variant, String(n), outdir], env);
    const key = `${variant}/${n}/${distinctSpecs}`;
    const result = results.get(key) ?? { variant, n, distinctSpecs, samples: [], template: readTemplate(outdir) };
    const inProcessMs = Number(/"inProcessMs":([\d.]+)/.exec(m.stdout)?.[1] ?? NaN);
    result.samples.push({ wallMs: m.wallMs, maxRssKb: m.maxRssKb, inProcessMs });
    results.set(key, result);
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export function find(results: readonly SynthResult[], variant: Variant, n: number, distinctSpecs = false): SynthResult {
  const r = results.find((x) => x.variant === variant && x.n === n && x.distinctSpecs === distinctSpecs);
  if (!r) throw new Error(`no synth result for ${variant} at N=${n}${distinctSpecs ? ' (distinct specs)' : ''}`);
  return r;
}
