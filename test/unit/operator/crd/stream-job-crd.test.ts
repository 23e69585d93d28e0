import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { crdFiles } from '../../../../operator/crd/crd-files.ts';
import { streamJobCrd } from '../../../../operator/crd/stream-job-crd.ts';
import { structuralSchemaViolations } from '../../../../operator/crd/structural-schema.ts';
import type { OpenApiSchema } from '../../../../operator/api/openapi-schema.ts';

const root = resolve(import.meta.dirname, '../../../..');

describe('StreamJob CRD', () => {
  it('is committed exactly as the generator writes it, in crds/ and in the chart (run `npm run crds` when this fails)', () => {
    const files = crdFiles();
    expect(files.map((f) => f.path)).toEqual(['crds/streamjobs.sluice.dev.yaml', 'charts/sluice-operator/crds/streamjobs.sluice.dev.yaml']);
    for (const file of files) expect(readFileSync(resolve(root, file.path), 'utf8')).toBe(file.content);
  });

  it('parses back to the CRD object', () => {
    expect(parse(crdFiles()[0]!.content)).toEqual(streamJobCrd());
  });

  it('names the resource, its subresources and its printer columns', () => {
    const { spec, metadata } = streamJobCrd();
    expect(metadata.name).toBe('streamjobs.sluice.dev');
    expect(spec.group).toBe('sluice.dev');
    expect(spec.scope).toBe('Namespaced');
    expect(spec.names).toEqual({ kind: 'StreamJob', listKind: 'StreamJobList', plural: 'streamjobs', singular: 'streamjob', shortNames: ['sj'], categories: ['all'] });
    expect(spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([['v1alpha1', true, true]]);
    const [version] = spec.versions;
    expect(version!.subresources).toEqual({
      status: {},
      scale: { specReplicasPath: '.spec.job.parallelism', statusReplicasPath: '.status.parallelism', labelSelectorPath: '.status.taskManagers.selector' },
    });
    expect(version!.additionalPrinterColumns.map((c) => [c.name, c.type, c.jsonPath, c.priority ?? 0])).toEqual([
      ['Phase', 'string', '.status.phase', 0],
      ['Parallelism', 'integer', '.spec.job.parallelism', 0],
      ['Last Checkpoint', 'integer', '.status.lastCheckpoint.id', 0],
      ['Restarts', 'integer', '.status.restarts', 0],
      ['Age', 'date', '.metadata.creationTimestamp', 0],
      ['Job ID', 'string', '.status.jobId', 1],
      ['TaskManagers', 'integer', '.status.taskManagers.ready', 1],
    ]);
  });

  it('points every path the CRD names at a field of the schema', () => {
    const version = streamJobCrd().spec.versions[0]!;
    const schema = version.schema.openAPIV3Schema;
    const paths = [
      version.subresources.scale.specReplicasPath,
      version.subresources.scale.statusReplicasPath,
      version.subresources.scale.labelSelectorPath,
      ...version.additionalPrinterColumns.map((c) => c.jsonPath).filter((p) => !p.startsWith('.metadata.')),
    ];
    for (const path of paths) {
      const node = path.split('.').slice(1).reduce<OpenApiSchema | undefined>((n, field) => n?.properties?.[field], schema);
      expect([path, node?.type]).toEqual([path, expect.stringMatching(/^(integer|string)$/)]);
    }
  });

  it('has a structural schema whose defaults validate', () => {
    expect(structuralSchemaViolations(streamJobCrd().spec.versions[0]!.schema.openAPIV3Schema)).toEqual([]);
  });

  it('requires only what a user must write; defaulted fields are optional', () => {
    const spec = streamJobCrd().spec.versions[0]!.schema.openAPIV3Schema.properties!['spec']!;
    expect(spec.required).toEqual(['image', 'job', 'checkpointing']);
    expect(spec.properties!['job']!.required).toEqual(['entry']);
    expect(spec.properties!['taskManager']!.required).toBeUndefined();
    expect(spec.properties!['taskManager']!.default).toEqual({});
  });
});

describe('structural schema checker', () => {
  const object = (properties: Record<string, OpenApiSchema>, extra: OpenApiSchema = {}): OpenApiSchema => ({ type: 'object', properties, ...extra });

  it.each<[string, OpenApiSchema, string[]]>([
    ['a missing type', object({ a: { description: 'x' } }), ['<root>.a: type must be set']],
    ['a keyword outside the OpenAPI subset', object({ a: { type: 'string', const: 'x' } }), ['<root>.a: keyword const is not allowed']],
    ['patternProperties', object({ a: { type: 'object', patternProperties: { '.*': { type: 'string' } } } }), ['<root>.a: keyword patternProperties is not allowed']],
    ['properties with additionalProperties', object({ a: object({ b: { type: 'string' } }, { additionalProperties: { type: 'string' } }) }),
      ['<root>.a: properties and additionalProperties are mutually exclusive']],
    ['additionalProperties: false', object({ a: { type: 'object', additionalProperties: false } }), ['<root>.a: additionalProperties must be a schema, not a boolean']],
    ['an array without items', object({ a: { type: 'array' } }), ['<root>.a: an array needs items']],
    ['a type inside oneOf', object({ a: { type: 'string' } }, { oneOf: [{ type: 'object', required: ['a'] }] }), ['<root>.oneOf[0]: type is not allowed inside a junctor']],
    ['a junctor field not declared outside', object({ a: { type: 'string' } }, { anyOf: [{ required: ['b'] }] }), ['<root>.anyOf[0]: field b must also be specified outside the junctor']],
    ['int-or-string with a type', object({ q: { type: 'string', 'x-kubernetes-int-or-string': true } }), ['<root>.q: x-kubernetes-int-or-string must not have a type']],
    ['int-or-string with another anyOf', object({ q: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'string' }] } }),
      ['<root>.q: x-kubernetes-int-or-string allows only anyOf [integer, string]']],
    ['an enum value of another type', object({ e: { type: 'string', enum: ['a', 1] } }), ['<root>.e: enum value 1 is not a string']],
    ['a default that does not validate', object({ n: { type: 'integer', minimum: 1, default: 0 } }), ['<root>.n: default 0 does not validate: data must be >= 1']],
    ['a default that nested defaults do not complete', object({ o: object({ r: { type: 'string' } }, { required: ['r'], default: {} }) }),
      ["<root>.o: default {} does not validate: data must have required property 'r'"]],
    ['a default with fields the schema prunes', object({ o: object({ r: { type: 'string' } }, { default: { r: 'x', s: 'y' } }) }),
      ['<root>.o: default {"r":"x","s":"y"} holds fields the schema prunes']],
    ['a list map whose key is optional', object({ l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: object({ k: { type: 'string' } }) } }),
      ['<root>.l: map key k must be required or defaulted']],
    ['a metadata restriction beyond name', object({ metadata: object({ labels: { type: 'object', additionalProperties: { type: 'string' } } }) }),
      ['<root>.metadata.labels: only name and generateName may be restricted', '<root>.metadata.labels: type must be string']],
    ['a non-object root', { type: 'string' }, ['<root>: type must be object']],
  ])('finds %s', (_name, schema, expected) => {
    expect(structuralSchemaViolations(schema)).toEqual(expected);
  });

  it('accepts what Kubernetes accepts', () => {
    const schema = object({
      q: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: '^[0-9]+m?$' },
      free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      map: { type: 'object', additionalProperties: { type: 'string' } },
      o: object({ r: { type: 'string', default: 'x' } }, { default: {} }),
      l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: object({ k: { type: 'string' } }, { required: ['k'] }) },
    }, { oneOf: [{ required: ['q'] }, { required: ['free'] }] });
    expect(structuralSchemaViolations(schema)).toEqual([]);
  });
});
