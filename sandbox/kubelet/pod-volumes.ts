import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { podFieldValue, resourceFieldValue, type ObjectSource } from './container-env.ts';
import type { BindMount } from './mount-namespace.ts';
import type { Container, DownwardAPIVolumeFile, KeyToPath, Pod, Volume } from '../kube-api/kube-types.ts';

/**
 * Issues service-account tokens through the TokenRequest API, bound to the pod (as the real kubelet
 * asks for them: the Node authorizer lets a node request tokens only for pods bound to it).
 */
export interface TokenSource {
  serviceAccountToken(pod: { namespace: string; name: string; uid: string }, serviceAccount: string, audience?: string, expirationSeconds?: number): Promise<string>;
}

export interface VolumeContext {
  pod: Pod;
  podDir: string;
  objects: ObjectSource;
  tokens: TokenSource;
  nodeCapacity: { cpu: number; memoryBytes: number };
}

/** A volume cannot be set up yet (missing ConfigMap/Secret...): the pod stays `ContainerCreating`. */
export class VolumeSetupError extends Error {}

const DEFAULT_MODE = 0o644;

/** Volumes whose content the kubelet projects are mounted read-only whatever the mount says. */
function alwaysReadOnly(volume: Volume | undefined): boolean {
  return volume !== undefined && (volume.configMap !== undefined || volume.secret !== undefined || volume.downwardAPI !== undefined || volume.projected !== undefined);
}

export function volumeDir(podDir: string, name: string): string {
  return join(podDir, 'volumes', name);
}

/**
 * Writes every volume of the pod as files under `<podDir>/volumes/<name>` (the service-account
 * volume `kube-api-access-*` among them: the API server's ServiceAccount admission adds it as a
 * projected volume of token, `kube-root-ca.crt` and namespace). Idempotent: called again
 * while the pod runs, it brings ConfigMap, Secret, downward API and projected volumes up to date
 * in place (the directories stay, so the bind mounts in running containers see the new files),
 * as the kubelet's periodic volume sync does.
 */
export async function materializeVolumes(ctx: VolumeContext): Promise<void> {
  for (const volume of ctx.pod.spec.volumes ?? []) {
    if (volume.hostPath !== undefined) {
      if (volume.hostPath.type === 'DirectoryOrCreate') mkdirSync(volume.hostPath.path, { recursive: true });
      continue;
    }
    const dir = volumeDir(ctx.podDir, volume.name);
    if (volume.emptyDir !== undefined) {
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o777);
      continue;
    }
    syncFiles(dir, await volumeFiles(ctx, volume), ctx.pod.spec.securityContext?.fsGroup);
  }
}

async function tokenFor(ctx: VolumeContext, ns: string, audience?: string, expirationSeconds?: number): Promise<string> {
  const sa = ctx.pod.spec.serviceAccountName ?? 'default';
  try {
    const pod = { namespace: ns, name: ctx.pod.metadata.name, uid: ctx.pod.metadata.uid ?? '' };
    return await ctx.tokens.serviceAccountToken(pod, sa, audience, expirationSeconds);
  } catch (err) {
    throw new VolumeSetupError(`cannot get a token for service account ${ns}/${sa}: ${(err as Error).message}`);
  }
}

/** The bind mounts of one container: its volumeMounts. */
export function containerMounts(pod: Pod, podDir: string, container: Container): BindMount[] {
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  const mounts: BindMount[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumes.get(mount.name);
    if (volume === undefined) throw new VolumeSetupError(`volumeMount "${mount.name}" of container "${container.name}" names no volume of the pod`);
    const base = volume.hostPath !== undefined ? volume.hostPath.path : volumeDir(podDir, volume.name);
    mounts.push({
      source: mount.subPath ? join(base, mount.subPath) : base,
      target: mount.mountPath,
      readOnly: mount.readOnly === true || alwaysReadOnly(volume),
    });
  }
  return mounts;
}

interface VolumeFile {
  path: string;
  content: string | Buffer;
  mode: number;
}

/**
 * Makes `dir` hold exactly `files`: changed files are replaced by rename, stale ones removed. With an
 * `fsGroup`, as the kubelet's SetVolumeOwnership does for these read-only volumes: each file belongs
 * to that group and is group-readable (mode | 0440), so a 0400 Secret is readable by the pod's user
 * through its supplementary group. (Group ownership needs a kubelet running as root, as it runs
 * containers as other users only then.)
 */
function syncFiles(dir: string, files: VolumeFile[], fsGroup: number | undefined): void {
  const chown = fsGroup !== undefined && process.getuid?.() === 0;
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const wanted = new Set<string>();
  for (const file of files) {
    if (file.path.split('/').includes('..') || file.path.startsWith('/')) throw new VolumeSetupError(`volume file path "${file.path}" must be relative without ".."`);
    const target = join(dir, file.path);
    wanted.add(target);
    for (const sub of ancestorsWithin(dir, target)) {
      wanted.add(sub);
      if (!existsSync(sub)) {
        mkdirSync(sub);
        chmodSync(sub, 0o755);
      }
    }
    const content = typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
    const mode = fsGroup === undefined ? file.mode : file.mode | 0o440;
    if (existsSync(target) && readFileSync(target).equals(content) && (statSync(target).mode & 0o777) === mode && (!chown || statSync(target).gid === fsGroup)) continue;
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, content);
    chmodSync(tmp, mode);
    if (chown) chownSync(tmp, -1, fsGroup);
    renameSync(tmp, target);
  }
  const present = (readdirSync(dir, { recursive: true }) as string[]).map((p) => join(dir, p)).sort((a, b) => b.length - a.length);
  for (const path of present) if (!wanted.has(path)) rmSync(path, { recursive: true, force: true });
}

/** Directories between `dir` (exclusive) and `target` (exclusive), outermost first. */
function ancestorsWithin(dir: string, target: string): string[] {
  const out: string[] = [];
  for (let sub = dirname(target); sub !== dir && sub.startsWith(dir + '/'); sub = dirname(sub)) out.unshift(sub);
  return out;
}

async function volumeFiles(ctx: VolumeContext, volume: Volume): Promise<VolumeFile[]> {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  if (volume.configMap !== undefined) {
    const src = volume.configMap;
    return configMapFiles(ctx, ns, src.name, src.items, src.optional, src.defaultMode ?? DEFAULT_MODE);
  }
  if (volume.secret !== undefined) {
    const src = volume.secret;
    return secretFiles(ctx, ns, src.secretName, src.items, src.optional, src.defaultMode ?? DEFAULT_MODE);
  }
  if (volume.downwardAPI !== undefined) return downwardFiles(ctx, volume.downwardAPI.items ?? [], volume.downwardAPI.defaultMode ?? DEFAULT_MODE);
  if (volume.projected !== undefined) {
    const mode = volume.projected.defaultMode ?? DEFAULT_MODE;
    const files: VolumeFile[] = [];
    for (const source of volume.projected.sources) {
      if (source.configMap) files.push(...(await configMapFiles(ctx, ns, source.configMap.name, source.configMap.items, source.configMap.optional, mode)));
      if (source.secret) files.push(...(await secretFiles(ctx, ns, source.secret.name, source.secret.items, source.secret.optional, mode)));
      if (source.downwardAPI) files.push(...downwardFiles(ctx, source.downwardAPI.items ?? [], mode));
      if (source.serviceAccountToken) {
        const { path, audience, expirationSeconds } = source.serviceAccountToken;
        files.push({ path, content: await tokenFor(ctx, ns, audience, expirationSeconds), mode });
      }
    }
    return files;
  }
  throw new VolumeSetupError(`volume "${volume.name}": unsupported volume type (supported: configMap, secret, emptyDir, hostPath, downwardAPI, projected)`);
}

function selectKeys(data: Map<string, string | Buffer>, items: KeyToPath[] | undefined, mode: number, what: string): VolumeFile[] {
  if (items === undefined) return [...data].map(([key, content]) => ({ path: key, content, mode }));
  return items.map((item) => {
    const content = data.get(item.key);
    if (content === undefined) throw new VolumeSetupError(`configured key "${item.key}" not found in ${what}`);
    return { path: item.path, content, mode: item.mode ?? mode };
  });
}

async function configMapFiles(ctx: VolumeContext, ns: string, name: string, items: KeyToPath[] | undefined, optional: boolean | undefined, mode: number): Promise<VolumeFile[]> {
  const cm = await ctx.objects.configMap(ns, name);
  if (cm === undefined) {
    if (optional) return [];
    throw new VolumeSetupError(`configmap "${name}" not found`);
  }
  const data = new Map<string, string | Buffer>(Object.entries(cm.data ?? {}));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) data.set(k, Buffer.from(v, 'base64'));
  return selectKeys(data, items, mode, `ConfigMap ${ns}/${name}`);
}

async function secretFiles(ctx: VolumeContext, ns: string, name: string, items: KeyToPath[] | undefined, optional: boolean | undefined, mode: number): Promise<VolumeFile[]> {
  const secret = await ctx.objects.secret(ns, name);
  if (secret === undefined) {
    if (optional) return [];
    throw new VolumeSetupError(`secret "${name}" not found`);
  }
  const data = new Map<string, string | Buffer>(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  return selectKeys(data, items, mode, `Secret ${ns}/${name}`);
}

function downwardFiles(ctx: VolumeContext, items: DownwardAPIVolumeFile[], mode: number): VolumeFile[] {
  return items.map((item) => {
    let content: string;
    if (item.fieldRef) content = podFieldValue(ctx.pod, item.fieldRef.fieldPath);
    else if (item.resourceFieldRef) content = resourceFieldValue(ctx.pod, undefined, item.resourceFieldRef, ctx.nodeCapacity);
    else throw new VolumeSetupError(`downwardAPI item "${item.path}" has neither fieldRef nor resourceFieldRef`);
    return { path: item.path, content, mode: item.mode ?? mode };
  });
}
