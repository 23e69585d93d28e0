// `npm run crds`: writes the StreamJob CRD into crds/ and the chart, refusing a schema Kubernetes would reject.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crdFiles } from './crd-files.ts';
import { streamJobCrd } from './stream-job-crd.ts';
import { structuralSchemaViolations } from './structural-schema.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const violations = streamJobCrd().spec.versions.flatMap((v) => structuralSchemaViolations(v.schema.openAPIV3Schema));
if (violations.length > 0) {
  process.stderr.write(`The StreamJob schema is not a valid structural schema:\n  ${violations.join('\n  ')}\n`);
  process.exit(1);
}
for (const file of crdFiles()) {
  const target = resolve(root, file.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.content);
  process.stdout.write(`wrote ${file.path}\n`);
}
