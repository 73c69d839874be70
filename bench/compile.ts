/**
 * Transpiles src/ and the bench apps to CommonJS in a temp dir (esbuild, no bundling), so that each synth
 * child loads plain JS the same way. The temp dir gets links to node_modules and assets/, which the
 * construct finds relative to its own files.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';

export const ROOT = path.resolve(__dirname, '..');

function tsFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Returns the directory that mirrors the repository: <dir>/bench/synth-child.js, <dir>/src/index.js. */
export function compileBenchApps(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-bench-js-'));
  const entryPoints = [
    ...tsFilesUnder(path.join(ROOT, 'src')),
    ...tsFilesUnder(path.join(ROOT, 'bench', 'apps')),
    path.join(ROOT, 'bench', 'synth-child.ts'),
  ];
  buildSync({ entryPoints, outdir, outbase: ROOT, format: 'cjs', platform: 'node', target: 'node20', bundle: false, logLevel: 'error' });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(outdir, 'node_modules'));
  fs.symlinkSync(path.join(ROOT, 'assets'), path.join(outdir, 'assets'));
  return outdir;
}
