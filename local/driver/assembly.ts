/** Reads a synthesized cloud assembly (cdk.out): stacks, templates and where each file asset lives. */
import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, CfnTemplate } from './types';

export interface AssemblyStack {
  readonly stackName: string;
  readonly artifactId: string;
  readonly template: CfnTemplate;
  /** Asset hash → absolute path of its source (from `<Stack>.assets.json`). */
  readonly assets: Readonly<Record<string, string>>;
  readonly assemblyDir: string;
}

export interface CloudAssembly {
  readonly dir: string;
  readonly stacks: readonly AssemblyStack[];
}

interface ManifestArtifact {
  readonly type: string;
  readonly properties?: { templateFile?: string; stackName?: string; file?: string };
  readonly dependencies?: string[];
}

export function readAssembly(dir: string): CloudAssembly {
  const assemblyDir = path.resolve(dir);
  const manifest = readJson(path.join(assemblyDir, 'manifest.json')) as { artifacts?: Record<string, ManifestArtifact> };
  const artifacts = manifest.artifacts ?? {};
  const stacks: AssemblyStack[] = [];
  for (const [artifactId, artifact] of Object.entries(artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = artifact.properties?.templateFile;
    if (!templateFile) throw new Error(`Stack artifact ${artifactId} has no templateFile`);
    const assets: Record<string, string> = {};
    for (const dep of artifact.dependencies ?? []) {
      const depArtifact = artifacts[dep];
      if (depArtifact?.type === 'cdk:asset-manifest' && depArtifact.properties?.file) {
        Object.assign(assets, readFileAssets(assemblyDir, depArtifact.properties.file));
      }
    }
    stacks.push({
      stackName: artifact.properties?.stackName ?? artifactId,
      artifactId,
      template: readJson(path.join(assemblyDir, templateFile)) as CfnTemplate,
      assets,
      assemblyDir,
    });
  }
  return { dir: assemblyDir, stacks };
}

export function findStack(assembly: CloudAssembly, stackName: string): AssemblyStack {
  const stack = assembly.stacks.find((s) => s.stackName === stackName || s.artifactId === stackName);
  if (!stack) {
    throw new Error(`Stack ${stackName} not found in ${assembly.dir}; it has: ${assembly.stacks.map((s) => s.stackName).join(', ')}`);
  }
  return stack;
}

function readFileAssets(assemblyDir: string, file: string): Record<string, string> {
  const assetManifest = readJson(path.join(assemblyDir, file)) as { files?: Record<string, { source?: { path?: string } }> };
  const out: Record<string, string> = {};
  for (const [hash, asset] of Object.entries(assetManifest.files ?? {})) {
    if (asset.source?.path) out[hash] = path.resolve(assemblyDir, asset.source.path);
  }
  return out;
}

/**
 * Where a Lambda function's code lives in the assembly. `aws:asset:path` metadata is only written when
 * the `aws:cdk:enable-asset-metadata` context is on (the CLI sets it, `new App()` does not), so fall back to
 * the S3 key, which is `<asset hash>.zip`.
 */
export function functionCodeDir(stack: AssemblyStack, logicalId: string, resource: CfnResource, resolvedCode: unknown): string {
  const metaPath = resource.Metadata?.['aws:asset:path'];
  if (typeof metaPath === 'string') return path.resolve(stack.assemblyDir, metaPath);
  const s3Key = (resolvedCode as { S3Key?: unknown } | undefined)?.S3Key;
  if (typeof s3Key === 'string') {
    const hash = path.basename(s3Key).replace(/\.zip$/, '');
    const assetPath = stack.assets[hash];
    if (assetPath) return assetPath;
  }
  throw new Error(`${logicalId}: cannot find the code of this function in the assembly (no aws:asset:path metadata and no file asset matching Code.S3Key)`);
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
