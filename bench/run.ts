/**
 * `npm run bench`: builds nothing itself (the projen task has built the handler bundle first), measures, and
 * prints the Markdown tables to stdout; progress goes to stderr. BENCH_QUICK=1 runs every part once, for
 * checking the scripts.
 */
import * as fs from 'fs';
import { runBundleBench, SHIPPED_BUNDLE } from './bundle-bench';
import { compileBenchApps } from './compile';
import { runDeployBench } from './deploy-bench';
import { machineInfo } from './machine';
import { HAS_GNU_TIME } from './measure';
import { runOptionsBench } from './options-bench';
import { renderReport } from './report';
import { progress } from './stats';
import { runSynthBench } from './synth-bench';

const QUICK = process.env.BENCH_QUICK === '1';
const COUNTS = [1, 10, 100, 200];
const SYNTH_ROUNDS = QUICK ? 1 : 7;
/** Instances in each provider-options stack: enough that the instances are there, few enough that the provider dominates. */
const OPTIONS_N = 10;
const LOAD_ROUNDS = QUICK ? 2 : 15;
/** Deployment lengths spread over one poll interval, so the lags cover the whole range of phases. */
const DEPLOYMENT_MS = QUICK ? [21_000] : [21_000, 23_500, 26_000, 28_500];

async function main(): Promise<void> {
  const started = Date.now();
  if (!fs.existsSync(SHIPPED_BUNDLE)) throw new Error(`${SHIPPED_BUNDLE} is missing: run \`npx projen bundle\` first`);
  const machine = machineInfo(HAS_GNU_TIME);
  progress(`compiling src/ and bench/apps/ to JS (${machine.cpus} CPUs, Node ${machine.node})`);
  const jsDir = compileBenchApps();
  // One part after another, so that the timed synth and load runs never share the CPU with the deployments.
  const synth = await runSynthBench(jsDir, COUNTS, SYNTH_ROUNDS);
  const options = await runOptionsBench(jsDir, OPTIONS_N, SYNTH_ROUNDS);
  const bundle = await runBundleBench(LOAD_ROUNDS);
  const deploy = await runDeployBench(DEPLOYMENT_MS);
  fs.rmSync(jsDir, { recursive: true, force: true });
  const report = renderReport({
    machine,
    command: 'npm run bench',
    synthRounds: SYNTH_ROUNDS,
    loadRounds: LOAD_ROUNDS,
    counts: COUNTS,
    synth,
    bundle,
    deploy,
    options,
    optionsN: OPTIONS_N,
    totalSeconds: (Date.now() - started) / 1000,
  });
  process.stdout.write(`${report}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
