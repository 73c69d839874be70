/**
 * Handler bundle: its size, and the time a fresh `node` process takes to `require` it, beside the whole
 * @aws-sdk/client-proton bundled unminified, and beside the handler built without the bundle task's two size
 * flags (the `yaml` ESM alias, A, and the environment-only credentials alias, B), to show what each saves.
 */
import * as fs from 'fs';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { buildHandler, buildSdkBaseline, bundleTaskFlags, BuiltBundle, bytesByPackage } from './bundles';
import { ROOT } from './compile';
import { measureProcess } from './measure';
import { median, progress } from './stats';

export const SHIPPED_BUNDLE = path.join(ROOT, 'assets', 'service-instance-handler', 'index.js');

export interface BundleRow {
  readonly name: string;
  readonly what: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Median require time in a fresh process, ms; undefined when the bundle cannot load outside Lambda. */
  readonly loadMs?: number;
  readonly loadSamples: number[];
}

export interface BundleBenchResult {
  readonly rows: BundleRow[];
  /** Bytes by package in the handler as the bundle task builds it. */
  readonly composition: [string, number][];
  /** Size of the rebuilt handler, to check it matches the shipped file. */
  readonly rebuiltBytes: number;
}

const LOAD_SCRIPT =
  'const t = process.hrtime.bigint(); require(process.argv[1]); ' +
  'process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));';

/** The bundle task's flag that starts with `prefix` (e.g. `--alias:yaml=`); throws if the task has none. */
function taskFlag(prefix: string): string {
  const flag = bundleTaskFlags().flags.find((f) => f.startsWith(prefix));
  if (!flag) throw new Error(`the bundle task has no ${prefix}… flag; update bench/bundle-bench.ts`);
  return flag;
}

async function loadMs(file: string): Promise<number> {
  const m = await measureProcess([process.execPath, '-e', LOAD_SCRIPT, file]);
  return Number(m.stdout);
}

export async function runBundleBench(rounds: number): Promise<BundleBenchResult> {
  progress('bundle: building the baseline and the variants');
  const rebuilt = await buildHandler('handler');
  const baseline = await buildSdkBaseline();
  // A: `yaml` from its ESM build (tree-shaken); B: credentials from the environment only (lambda/shims/credentials.ts).
  const yamlEsm = taskFlag('--alias:yaml=');
  const envCredentials = taskFlag('--alias:@aws-sdk/credential-provider-node=');
  const variants: { bundle: BuiltBundle; what: string; loads: boolean }[] = [
    { bundle: await buildHandler('without-a', [yamlEsm]), what: 'without A: `yaml` from its CommonJS build', loads: true },
    { bundle: await buildHandler('without-b', [envCredentials]), what: 'without B: the default credential chain', loads: true },
    {
      bundle: await buildHandler('before', [yamlEsm, envCredentials]),
      what: 'without A and B (the bundle as shipped before 2026-11-27)',
      loads: true,
    },
    {
      bundle: await buildHandler('external-sdk', [], { external: ['@aws-sdk/*', '@smithy/*'] }),
      what: 'SDK left to the Lambda runtime (not pinned; for scale)',
      loads: false,
    },
  ];
  const measured = [
    { name: 'handler', what: 'shipped handler bundle (assets/)', file: SHIPPED_BUNDLE, loads: true },
    { name: 'sdk-baseline', what: 'baseline: whole @aws-sdk/client-proton, unminified', file: baseline.file, loads: true },
    ...variants.map((v) => ({ name: v.bundle.name, what: v.what, file: v.bundle.file, loads: v.loads })),
  ];
  const samples = new Map<string, number[]>(measured.map((m) => [m.name, []]));
  for (let round = 0; round < rounds; round++) {
    // Interleaved, order rotated each round.
    const order = measured.map((_, i) => measured[(i + round) % measured.length]).filter((m) => m.loads);
    for (const m of order) samples.get(m.name)!.push(await loadMs(m.file));
  }
  progress(`bundle: ${rounds} load rounds done`);
  const rows = measured.map((m) => {
    const content = fs.readFileSync(m.file);
    const s = samples.get(m.name)!;
    return {
      name: m.name,
      what: m.what,
      bytes: content.length,
      gzipBytes: gzipSync(content).length,
      loadMs: s.length ? median(s) : undefined,
      loadSamples: s,
    };
  });
  const composition = bytesByPackage(rebuilt);
  for (const b of [rebuilt, baseline, ...variants.map((v) => v.bundle)]) fs.rmSync(path.dirname(b.file), { recursive: true, force: true });
  return { rows, composition, rebuiltBytes: rebuilt.bytes };
}
