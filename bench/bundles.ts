/**
 * Builds handler bundles into temp dirs: the handler exactly as the `bundle` task builds it (its esbuild flags
 * read from .projen/tasks.json), the same without some of its flags (to show what each one saves), and the
 * baseline, the whole @aws-sdk/client-proton unminified.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { build, BuildOptions, Metafile } from 'esbuild';
import { ROOT } from './compile';

export interface BuiltBundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

/** The esbuild command of the projen `bundle` task, split into its flags (without the entry and --outfile). */
export function bundleTaskFlags(): { entry: string; flags: string[] } {
  const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')) as {
    tasks: Record<string, { steps?: { exec?: string }[] }>;
  };
  const exec = tasks.tasks.bundle.steps?.map((s) => s.exec).find((e) => e?.startsWith('esbuild '));
  if (!exec) throw new Error('no esbuild step in the bundle task of .projen/tasks.json');
  const words = exec.split(/\s+/).slice(1);
  const entry = words.find((w) => !w.startsWith('-'))!;
  return { entry, flags: words.filter((w) => w.startsWith('-') && !w.startsWith('--outfile')) };
}

/** Turns the CLI flags the bundle task uses into build options (only the flags that task has). */
function optionsFromFlags(flags: readonly string[]): BuildOptions {
  const options: BuildOptions = {};
  const supported: Record<string, boolean> = {};
  for (const flag of flags) {
    const [name, value] = flag.replace(/^--/, '').split('=');
    if (name === 'bundle') options.bundle = true;
    else if (name === 'minify') options.minify = true;
    else if (name === 'platform') options.platform = value as BuildOptions['platform'];
    else if (name === 'target') options.target = value;
    else if (name === 'main-fields') options.mainFields = value.split(',');
    else if (name === 'legal-comments') options.legalComments = value as BuildOptions['legalComments'];
    else if (name.startsWith('supported:')) supported[name.slice('supported:'.length)] = value === 'true';
    else if (name.startsWith('external:')) options.external = [...(options.external ?? []), name.slice('external:'.length)];
    // Relative alias targets resolve against the working directory, which buildInto sets to ROOT as the task runs.
    else if (name.startsWith('alias:')) options.alias = { ...options.alias, [name.slice('alias:'.length)]: value };
    else throw new Error(`bench/bundles.ts does not know the esbuild flag ${flag} of the bundle task; teach it`);
  }
  if (Object.keys(supported).length > 0) options.supported = supported;
  return options;
}

async function buildInto(name: string, options: BuildOptions): Promise<BuiltBundle> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk-proton-bench-${name}-`));
  const file = path.join(dir, 'index.js');
  const result = await build({ ...options, outfile: file, metafile: true, logLevel: 'error', absWorkingDir: ROOT });
  return { name, file, bytes: fs.statSync(file).size, metafile: result.metafile! };
}

/**
 * The handler with the bundle task's flags, minus the flags in `without` (each must be one of the task's flags,
 * so that a renamed flag fails here instead of silently measuring the shipped bundle twice), plus `extra`.
 */
export function buildHandler(name: string, without: readonly string[] = [], extra: BuildOptions = {}): Promise<BuiltBundle> {
  const { entry, flags } = bundleTaskFlags();
  for (const flag of without) {
    if (!flags.includes(flag)) throw new Error(`bench/bundles.ts: the bundle task has no flag ${flag} to leave out`);
  }
  const kept = flags.filter((f) => !without.includes(f));
  return buildInto(name, { ...optionsFromFlags(kept), entryPoints: [path.join(ROOT, entry)], ...extra });
}

/** The baseline: all of @aws-sdk/client-proton in one unminified file. */
export function buildSdkBaseline(): Promise<BuiltBundle> {
  return buildInto('sdk-baseline', {
    stdin: { contents: "module.exports = require('@aws-sdk/client-proton');", resolveDir: ROOT, loader: 'js' },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
  });
}

/** Bytes of the bundle by package (`@smithy/core`, `yaml`, ...) or by top folder for the project's own code. */
export function bytesByPackage(bundle: BuiltBundle): [string, number][] {
  const groups = new Map<string, number>();
  for (const output of Object.values(bundle.metafile.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = pkg ? pkg[1] : `${input.split('/')[0]}/`;
      groups.set(key, (groups.get(key) ?? 0) + info.bytesInOutput);
    }
  }
  return [...groups.entries()].sort((a, b) => b[1] - a[1]);
}
