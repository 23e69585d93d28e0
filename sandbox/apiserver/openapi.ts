import { createHash } from 'node:crypto';
import type { ResourceRegistry } from './resource-registry.ts';
import type { ResourceType } from './resource-type.ts';
import type { JsonSchema } from './structural-schema.ts';

type J = Record<string, unknown>;

/** `GET /openapi/v3`: one entry per group-version, with a content hash so clients cache correctly. */
export function openApiRoot(registry: ResourceRegistry): J {
  const paths: J = {};
  for (const g of registry.groups())
    for (const v of g.versions) {
      const key = g.group ? `apis/${g.group}/${v}` : `api/${v}`;
      const hash = createHash('sha512').update(JSON.stringify(openApiGroupVersion(registry, g.group, v))).digest('hex').slice(0, 128);
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash.toUpperCase()}` };
    }
  return { paths };
}

/**
 * The OpenAPI v3 document of one group-version. kubectl reads it to learn that the server validates
 * fields itself (the `fieldValidation` parameter on PATCH) and which patch types a kind accepts;
 * custom resources carry their CRD schema. Built-in kinds are described only loosely (no field
 * schemas), and their PATCH advertises no strategic-merge body so that kubectl falls back to its
 * compiled-in types for computing strategic merge patches.
 */
export function openApiGroupVersion(registry: ResourceRegistry, group: string, version: string): J | undefined {
  const types = registry.resourcesOf(group, version);
  if (!types.length) return undefined;
  const paths: J = {};
  const schemas: J = {};
  for (const t of types) {
    const gvk = [{ group: t.group, version: t.version, kind: t.kind }];
    const ref = schemaName(t);
    schemas[ref] = { ...objectSchema(t), 'x-kubernetes-group-version-kind': gvk };
    schemas[`${ref}List`] = {
      type: 'object',
      properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, items: { type: 'array', items: { $ref: `#/components/schemas/${ref}` } } },
      'x-kubernetes-group-version-kind': [{ group: t.group, version: t.version, kind: t.listKind }],
    };
    const prefix = `/${group ? `apis/${group}` : 'api'}/${version}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
    const body = { content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } };
    const op = (action: string, extra: J = {}): J => ({
      operationId: `${action}${t.kind}`,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk[0],
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } } },
      ...extra,
    });
    const writeParams = [query('dryRun'), query('fieldManager'), query('fieldValidation')];
    const patchTypes = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];
    paths[prefix] = { get: op('list'), post: op('post', { parameters: writeParams, requestBody: body }), delete: op('deletecollection') };
    paths[`${prefix}/{name}`] = {
      get: op('get'),
      put: op('put', { parameters: writeParams, requestBody: body }),
      patch: op('patch', {
        parameters: [...writeParams, query('force')],
        requestBody: { content: Object.fromEntries(patchTypes.map((c) => [c, { schema: { type: 'object' } }])) },
      }),
      delete: op('delete'),
    };
    if (t.statusSubresource)
      paths[`${prefix}/{name}/status`] = { get: op('get'), put: op('put', { parameters: writeParams, requestBody: body }), patch: op('patch', { parameters: writeParams }) };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.33.0' }, paths, components: { schemas } };
}

const query = (name: string): J => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });

function schemaName(t: ResourceType): string {
  if (t.crdName) return `${t.group.split('.').reverse().join('.')}.${t.version}.${t.kind}`;
  const pkg = t.group === '' ? 'core' : t.group.split('.')[0];
  return `io.k8s.api.${pkg}.${t.version}.${t.kind}`;
}

function objectSchema(t: ResourceType): JsonSchema {
  if (!t.schema) return { type: 'object', description: `${t.kind} (fields not described by this emulation)` };
  const properties = { ...(t.schema.properties ?? {}) };
  properties.apiVersion ??= { type: 'string' };
  properties.kind ??= { type: 'string' };
  properties.metadata = { type: 'object' };
  return { ...t.schema, properties };
}
