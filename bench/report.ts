/** Renders the measurements as the Markdown that BENCHMARKS.md records. */
import type { BundleBenchResult } from './bundle-bench';
import type { DeployBenchResult, WatchedDeployment } from './deploy-bench';
import type { MachineInfo } from './machine';
import { OptionResult, ratioToDefault } from './options-bench';
import { fixed, kb, max, median, verdict } from './stats';
import { find, SynthResult, SynthSample, Variant, VARIANTS } from './synth-bench';

export interface BenchResults {
  readonly machine: MachineInfo;
  readonly command: string;
  readonly synthRounds: number;
  readonly loadRounds: number;
  readonly counts: readonly number[];
  readonly synth: SynthResult[];
  readonly bundle: BundleBenchResult;
  readonly deploy: DeployBenchResult;
  readonly options: OptionResult[];
  readonly optionsN: number;
  readonly totalSeconds: number;
}

/** AWS Lambda's published prices (us-east-1, first tier), for the architecture figures. */
const LAMBDA_PRICE = { x86PerGbSecond: 0.0000166667, armPerGbSecond: 0.0000133334, perRequest: 0.2 / 1e6 } as const;

export const TARGETS = {
  synthRatioAt100: 1.3,
  synthRatioAtTop: 1.3,
  marginalRatio: 1.5,
  bytesPerInstance: 1536,
  bundleBytes: 300 * 1024,
  loadMs: 60,
  lagSlackMs: 1000,
  extraCalls: 2,
  memoryRatioAt200: 1.5,
} as const;

const LABEL: Record<Variant, string> = {
  'construct': 'ServiceInstance',
  'hand-rolled': 'hand-rolled (1 Provider, inline code)',
  'bare': 'bare CfnResource',
  'per-construct': 'Provider per instance',
};

const wall = (r: SynthResult) => median(r.samples.map((s) => s.wallMs));
const rssMb = (r: SynthResult) => median(r.samples.map((s) => s.maxRssKb)) / 1024;

/** Median of the per-round ratios: each round ran both variants back to back. */
function pairedRatio(a: SynthResult, b: SynthResult, pick: (s: SynthSample) => number): number {
  return median(a.samples.map((s, i) => pick(s) / pick(b.samples[i])));
}

function perExtraInstance(results: readonly SynthResult[], variant: Variant, counts: readonly number[], pick: (r: SynthResult) => number): number {
  const lo = find(results, variant, counts[counts.length - 2]);
  const hi = find(results, variant, counts[counts.length - 1]);
  return (pick(hi) - pick(lo)) / (hi.n - lo.n);
}

/**
 * Synth time each extra instance adds, construct ÷ hand-rolled: per round, the slope of each variant between two
 * cells of that round (smallest N to `top`), then the median of the per-round ratios. Also the median slopes. Taken
 * from the in-process time (building the app and synthesizing it) unless `pick` says otherwise: whole-process time
 * adds some 600 ms of process start and module loading whose jitter is as large as what 200 instances add.
 */
function marginalRatio(
  results: readonly SynthResult[],
  counts: readonly number[],
  top: { construct: SynthResult; handRolled: SynthResult },
  pick: (s: SynthSample) => number = (s) => s.inProcessMs,
) {
  const slopes = (hi: SynthResult, variant: Variant) => {
    const lo = find(results, variant, counts[0]);
    return hi.samples.map((s, i) => (pick(s) - pick(lo.samples[i])) / (hi.n - lo.n));
  };
  const construct = slopes(top.construct, 'construct');
  const handRolled = slopes(top.handRolled, 'hand-rolled');
  return { construct: median(construct), handRolled: median(handRolled), ratio: median(construct.map((c, i) => c / handRolled[i])) };
}

function callBudget(d: WatchedDeployment, intervalSeconds: number): number {
  return Math.ceil(d.deploymentMs / 1000 / intervalSeconds) + TARGETS.extraCalls;
}

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const nTop = r.counts[r.counts.length - 1];
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);

  const c100 = find(r.synth, 'construct', 100);
  const h100 = find(r.synth, 'hand-rolled', 100);
  const synthRatio = pairedRatio(c100, h100, (s) => s.wallMs);
  const cTop = find(r.synth, 'construct', nTop);
  const hTop = find(r.synth, 'hand-rolled', nTop);
  const memRatio = pairedRatio(cTop, hTop, (s) => s.maxRssKb);
  const topRatio = pairedRatio(cTop, hTop, (s) => s.wallMs);
  const cDistinct = find(r.synth, 'construct', nTop, true);
  const hDistinct = find(r.synth, 'hand-rolled', nTop, true);
  const distinctRatio = pairedRatio(cDistinct, hDistinct, (s) => s.wallMs);
  const distinctMarginal = marginalRatio(r.synth, r.counts, { construct: cDistinct, handRolled: hDistinct });
  const marginal = marginalRatio(r.synth, r.counts, { construct: cTop, handRolled: hTop });
  const marginalWhole = marginalRatio(r.synth, r.counts, { construct: cTop, handRolled: hTop }, (x) => x.wallMs);
  const fnSpread = r.counts.map((n) => find(r.synth, 'construct', n).template.lambdaFunctions);
  const bytesPer = (v: Variant) => perExtraInstance(r.synth, v, r.counts, (x) => x.template.bytes);
  const fnPer = (v: Variant) => perExtraInstance(r.synth, v, r.counts, (x) => x.template.lambdaFunctions);
  const handler = r.bundle.rows.find((x) => x.name === 'handler')!;
  const sdk = r.bundle.rows.find((x) => x.name === 'sdk-baseline')!;
  // The handler without the bundle task's size flags, rebuilt in the same run: what they save.
  const before = r.bundle.rows.find((x) => x.name === 'before');
  const own = r.deploy.deployments.filter((d) => d.watcher === 'construct');
  const waiter = r.deploy.deployments.filter((d) => d.watcher === 'sdk-waiter');
  const intervalMs = r.deploy.intervalSeconds * 1000;
  const worstLag = max(own.map((d) => d.lagMs));
  const callsOk = own.every((d) => d.protonCalls <= callBudget(d, r.deploy.intervalSeconds));

  push(
    '## Summary',
    '',
    '| figure | ServiceInstance | baseline(s), measured in the same run | target | result |',
    '|---|---|---|---|---|',
    `| whole-process synth, N = 100 | ${fixed(wall(c100))} ms | hand-rolled ${fixed(wall(h100))} ms → **${synthRatio.toFixed(2)}×** (median of per-round ratios); ` +
      `bare CfnResource ${fixed(wall(find(r.synth, 'bare', 100)))} ms; Provider per instance ${fixed(wall(find(r.synth, 'per-construct', 100)))} ms ` +
      `| ≤ ${TARGETS.synthRatioAt100}× hand-rolled | ${verdict(synthRatio <= TARGETS.synthRatioAt100)} |`,
    `| whole-process synth, N = ${nTop} | ${fixed(wall(cTop))} ms | hand-rolled ${fixed(wall(hTop))} ms → **${topRatio.toFixed(2)}×** (median of per-round ratios) ` +
      `| ≤ ${TARGETS.synthRatioAtTop}× hand-rolled | ${verdict(topRatio <= TARGETS.synthRatioAtTop)} |`,
    `| whole-process synth, N = ${nTop}, every spec distinct (the construct's worst case) | ${fixed(wall(cDistinct))} ms ` +
      `| hand-rolled ${fixed(wall(hDistinct))} ms → **${distinctRatio.toFixed(2)}×** (median of per-round ratios); per extra instance ` +
      `${fixed(distinctMarginal.construct, 2)} ms against ${fixed(distinctMarginal.handRolled, 2)} ms → ${distinctMarginal.ratio.toFixed(2)}× ` +
      '| for scale | — |',
    `| synth time per extra instance (building and synthesizing the app, timed in the process; N ${r.counts[0]} → ${nTop}, slopes taken round by round) ` +
      `| ${fixed(marginal.construct, 2)} ms ` +
      `| hand-rolled ${fixed(marginal.handRolled, 2)} ms → **${marginal.ratio.toFixed(2)}×** (median of per-round ratios); ` +
      `whole process ${fixed(marginalWhole.construct, 2)} ms against ${fixed(marginalWhole.handRolled, 2)} ms → ${marginalWhole.ratio.toFixed(2)}× (noisy: see the note) ` +
      `| ≤ ${TARGETS.marginalRatio}× hand-rolled | ${verdict(marginal.ratio <= TARGETS.marginalRatio)} |`,
    `| Lambda functions per extra instance | ${fnPer('construct')} (${fnSpread.join(', ')} at N = ${r.counts.join(', ')}) ` +
      `| Provider per instance: ${fnPer('per-construct')} per instance | constant in N | ${verdict(new Set(fnSpread).size === 1)} |`,
    `| template bytes per extra instance (N ${r.counts[r.counts.length - 2]} → ${nTop}) | ${fixed(bytesPer('construct'))} B ` +
      `| hand-rolled ${fixed(bytesPer('hand-rolled'))} B; bare ${fixed(bytesPer('bare'))} B; Provider per instance ${fixed(bytesPer('per-construct'))} B ` +
      `| ≤ 1.5 KB | ${verdict(bytesPer('construct') <= TARGETS.bytesPerInstance)} |`,
    `| handler bundle size | ${kb(handler.bytes)} (${kb(handler.gzipBytes)} gzipped) | whole client-proton unminified ${kb(sdk.bytes)}` +
      (before ? `; without A and B ${kb(before.bytes)} (${kb(before.gzipBytes)} gzipped) ` : ' ') +
      `| ≤ 300 KB | ${verdict(handler.bytes <= TARGETS.bundleBytes)} |`,
    `| cold \`require\` of the bundle, fresh process | ${fixed(handler.loadMs ?? NaN, 1)} ms | whole client-proton unminified ${fixed(sdk.loadMs ?? NaN, 1)} ms` +
      (before ? `; without A and B ${fixed(before.loadMs ?? NaN, 1)} ms ` : ' ') +
      `| ≤ ${TARGETS.loadMs} ms | ${verdict((handler.loadMs ?? Infinity) <= TARGETS.loadMs)} |`,
    `| lag, emulator SUCCEEDED → driver CREATE_COMPLETE | worst ${fixed(worstLag / 1000, 2)} s, median ${fixed(median(own.map((d) => d.lagMs)) / 1000, 2)} s ` +
      `over ${own.length} deployments | poll interval ${r.deploy.intervalSeconds} s; SDK waiter worst ${fixed(max(waiter.map((d) => d.lagMs)) / 1000, 2)} s ` +
      `| ≤ interval + 1 s | ${verdict(worstLag <= intervalMs + TARGETS.lagSlackMs)} |`,
    `| Proton calls per deployment of D s | ${own.map((d) => `${d.protonCalls} (D ${fixed(d.deploymentMs / 1000, 1)})`).join(', ')} ` +
      `| SDK waiter: ${waiter.map((d) => `${d.protonCalls} (D ${fixed(d.deploymentMs / 1000, 1)})`).join(', ')} ` +
      `| ≤ ⌈D / interval⌉ + 2 | ${verdict(callsOk)} |`,
    `| peak RSS of synth, N = ${nTop} | ${fixed(rssMb(cTop))} MB | hand-rolled ${fixed(rssMb(hTop))} MB → **${memRatio.toFixed(2)}×** ` +
      `| ≤ ${TARGETS.memoryRatioAt200}× | ${verdict(memRatio <= TARGETS.memoryRatioAt200)} |`,
    '',
  );

  push(
    `## Synth, whole process (median of ${r.synthRounds} fresh \`node\` processes per cell; variants interleaved each round)`,
    '',
    `| N | ${VARIANTS.map((v) => LABEL[v]).join(' | ')} | ServiceInstance ÷ hand-rolled |`,
    `|---|${VARIANTS.map(() => '---').join('|')}|---|`,
    ...r.counts.map((n) => {
      const cells = VARIANTS.map((v) => `${fixed(wall(find(r.synth, v, n)))} ms`);
      return `| ${n} | ${cells.join(' | ')} | ${pairedRatio(find(r.synth, 'construct', n), find(r.synth, 'hand-rolled', n), (s) => s.wallMs).toFixed(2)}× |`;
    }),
    '',
    '| N | peak RSS (median MB): ' + VARIANTS.map((v) => LABEL[v]).join(' | ') + ' | ServiceInstance ÷ hand-rolled |',
    `|---|${VARIANTS.map(() => '---').join('|')}|---|`,
    ...r.counts.map((n) => {
      const cells = VARIANTS.map((v) => fixed(rssMb(find(r.synth, v, n))));
      return `| ${n} | ${cells.join(' | ')} | ${pairedRatio(find(r.synth, 'construct', n), find(r.synth, 'hand-rolled', n), (s) => s.maxRssKb).toFixed(2)}× |`;
    }),
    '',
    '| N | template bytes / Lambda functions / resources: ' + VARIANTS.map((v) => LABEL[v]).join(' | ') + ' |',
    `|---|${VARIANTS.map(() => '---').join('|')}|`,
    ...r.counts.map((n) => {
      const cells = VARIANTS.map((v) => {
        const t = find(r.synth, v, n).template;
        return `${t.bytes} / ${t.lambdaFunctions} / ${t.resources}`;
      });
      return `| ${n} | ${cells.join(' | ')} |`;
    }),
    '',
  );

  push(
    `## Handler bundle (require time: median of ${r.loadRounds} fresh processes, bundles interleaved)`,
    '',
    '| bundle | size | gzipped | cold `require` |',
    '|---|---|---|---|',
    ...r.bundle.rows.map((b) => `| ${b.what} | ${kb(b.bytes)} | ${kb(b.gzipBytes)} | ${b.loadMs === undefined ? 'n/a (needs the runtime SDK)' : `${fixed(b.loadMs, 1)} ms`} |`),
    '',
    `What the shipped bundle is made of (esbuild metafile of a rebuild with the bundle task's flags, ${kb(r.bundle.rebuiltBytes)}; bytes in output):`,
    '',
    '| package | bytes | share |',
    '|---|---|---|',
    ...r.bundle.composition.slice(0, 12).map(([pkg, bytes]) => `| ${pkg} | ${kb(bytes)} | ${fixed((100 * bytes) / r.bundle.rebuiltBytes)} % |`),
    '',
  );

  push(
    `## Deployments (driver + emulator, poll interval ${r.deploy.intervalSeconds} s, all run at once; ${fixed(r.deploy.wallMs / 1000)} s)`,
    '',
    '| watcher | instance | D (emulator) | lag after SUCCEEDED | GetServiceInstance | all Proton calls | budget ⌈D/interval⌉ + 2 |',
    '|---|---|---|---|---|---|---|',
    ...r.deploy.deployments.map((d) =>
      `| ${d.watcher} | ${d.instanceName} | ${fixed(d.deploymentMs / 1000, 1)} s | ${fixed(d.lagMs / 1000, 2)} s | ${d.getCalls} | ${d.protonCalls} | ${callBudget(d, r.deploy.intervalSeconds)} |`),
    '',
  );

  const base = r.options.find((o) => o.option === 'default')!;
  push(
    `## Provider options at synth (N = ${r.optionsN} instances; median of ${base.wallMs.length} fresh \`node\` processes; options interleaved each round)`,
    '',
    '| provider configured with | synth | ÷ default (median of per-round ratios) | template bytes | + bytes | resources |',
    '|---|---|---|---|---|---|',
    ...r.options.map((o) =>
      `| ${o.option} | ${fixed(median(o.wallMs))} ms | ${ratioToDefault(r.options, o).toFixed(2)}× | ${o.templateBytes} | ${o.templateBytes - base.templateBytes} | ${o.resources} |`),
    '',
  );

  const use = r.deploy.lambda;
  const invocations = median(use.map((u) => u.invocations));
  const gbSeconds = median(use.map((u) => u.gbSeconds));
  const cost = (perGbSecond: number) => (invocations * LAMBDA_PRICE.perRequest + gbSeconds * perGbSecond) * 1000;
  push(
    `## Lambda use of one deployment, and the architecture (the ${use.length} construct deployments above, one instance each)`,
    '',
    '| invocations (median) | billed GB-seconds (median; local durations) | per 1,000 deployments, x86_64 | per 1,000 deployments, arm64 |',
    '|---|---|---|---|',
    `| ${fixed(invocations)} | ${fixed(gbSeconds, 2)} | $${cost(LAMBDA_PRICE.x86PerGbSecond).toFixed(4)} | $${cost(LAMBDA_PRICE.armPerGbSecond).toFixed(4)} |`,
    '',
    `Prices: AWS Lambda, us-east-1, first tier: $${LAMBDA_PRICE.x86PerGbSecond} (x86_64) and $${LAMBDA_PRICE.armPerGbSecond} (arm64) per GB-second, ` +
      `$${LAMBDA_PRICE.perRequest * 1e6} per million requests. Durations are the local driver's (in-process, no cold start), so the ` +
      'GB-seconds are a floor.',
    '',
  );

  push(
    '## Conditions',
    '',
    `- Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGb} GB, Node ${m.node}, aws-cdk-lib ${m.awsCdkLib}, esbuild ${m.esbuild}; run on ${m.date}.`,
    `- Command: \`${r.command}\`; the bench took ${fixed(r.totalSeconds)} s.`,
    `- CloudFormation validation: every synth child runs with \`CDK_VALIDATION=false\`. aws-cdk-lib ${m.awsCdkLib} ` +
      (m.hasValidationSwitch
        ? 'has `builtinCloudFormationValidation`, so the variable turns it off for every variant alike.'
        : 'has no `builtinCloudFormationValidation` (not in core/lib/app.d.ts): there is no built-in validation to switch, and the variable is inert.'),
    `- Peak memory: ${m.gnuTime ? '`/usr/bin/time -f %M` around each child' : "the child's `process.resourceUsage().maxRSS`"}. ` +
      'Synth children are plain JS (src/ and bench/apps/ transpiled by esbuild before the runs), with `@aws-cdk/core:stackResourceLimit` 0 ' +
      'for every variant so that a Provider per instance (17 resources each) can synthesize past 500 resources.',
  );
  return lines.join('\n');
}
