import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, methodNotSupported, notFound } from './api-error.ts';
import type { AuditRecord } from './audit-record.ts';
import { apiGroup, coreVersions, groupList, resourceList, versionInfo } from './discovery.ts';
import { openApiGroupVersion, openApiRoot } from './openapi.ts';
import { decodeProtobufObject } from './protobuf-body.ts';
import { proxyPodLog } from './pod-log-proxy.ts';
import { forbiddenMessage, rbacAllows, userInfoOf, type UserInfo } from './rbac-authorizer.ts';
import type { DeleteOptions, FieldValidation, PatchType, ResourceApi, WatchSink } from './resource-api.ts';
import type { ResourceRegistry } from './resource-registry.ts';
import type { KObject, ResourceType } from './resource-type.ts';
import { toTable, wantsTable, type IncludeObject } from './table.ts';
import type { TokenAuthority } from './token-authority.ts';
import { timestamp } from './object-meta.ts';

export interface HttpApiDeps {
  api: ResourceApi;
  registry: ResourceRegistry;
  tokens: TokenAuthority;
  audit: AuditRecord[];
  /** host:port clients use, for `serverAddressByClientCIDRs`. */
  serverAddress: () => string;
  /** Default and maximum watch duration when the client gives no timeoutSeconds. */
  watchTimeoutSeconds: number;
  watchBookmarkIntervalMs: number;
  /** `RBAC` enforces the stored Roles and bindings; `AlwaysAllow` lets every authenticated user do anything. */
  authorization: 'RBAC' | 'AlwaysAllow';
  tls: { cert: string; key: string };
}

interface ResourceRequest {
  t: ResourceType;
  namespace?: string;
  name?: string;
  subresource: string;
  watchPath: boolean;
}

const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);
const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The HTTP face of the API server: authentication, discovery, OpenAPI and the REST resource paths. */
export function buildHttpApi(deps: HttpApiDeps): { app: FastifyInstance; closeWatches: () => void } {
  const { api, registry, tokens, audit } = deps;
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024, forceCloseConnections: true, https: deps.tls, routerOptions: { ignoreTrailingSlash: true } });
  const openWatches = new Set<() => void>();
  const requests = new WeakMap<FastifyRequest, UserInfo>();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (PUBLIC_PATHS.has(path)) return;
    const header = req.headers.authorization;
    const user = tokens.userFor(header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined);
    if (!user) {
      await sendError(reply, new ApiError(401, 'Unauthorized', 'Unauthorized'));
      return reply;
    }
    const authenticated = userInfoOf(user);
    const impersonated = req.headers['impersonate-user'];
    if (typeof impersonated === 'string') {
      if (!authenticated.groups.includes('system:masters')) {
        await sendError(reply, new ApiError(403, 'Forbidden', `users "${impersonated}" is forbidden: User "${user}" cannot impersonate resource "users" in API group "" at the cluster scope`));
        return reply;
      }
      const groups = req.headers['impersonate-group'];
      requests.set(req, userInfoOf(impersonated, Array.isArray(groups) ? groups : groups ? [groups] : []));
    } else requests.set(req, authenticated);
  });
  app.setErrorHandler(async (err, _req, reply) => sendError(reply, err));
  app.setNotFoundHandler(async (_req, reply) => sendError(reply, new ApiError(404, 'NotFound', 'the server could not find the requested resource')));

  const json = (reply: FastifyReply, code: number, body: unknown): FastifyReply =>
    reply.code(code).header('Content-Type', 'application/json').send(JSON.stringify(body));

  app.get('/version', async (_q, reply) => json(reply, 200, versionInfo()));
  for (const p of ['/healthz', '/livez', '/readyz']) app.get(p, async (_q, reply) => reply.type('text/plain').send('ok'));
  app.get('/api', async (_q, reply) => json(reply, 200, coreVersions(deps.serverAddress())));
  app.get('/apis', async (_q, reply) => json(reply, 200, groupList(registry)));
  app.get('/openapi/v2', async (_q, reply) => sendError(reply, new ApiError(404, 'NotFound', 'the server could not find the requested resource')));
  app.get('/openapi/v3', async (_q, reply) => json(reply, 200, openApiRoot(registry)));
  app.get('/openapi/v3/*', async (req, reply) => {
    const parts = pathSegments(req.url).slice(2);
    const doc = parts[0] === 'api' ? openApiGroupVersion(registry, '', parts[1]!) : openApiGroupVersion(registry, parts[1]!, parts[2]!);
    if (!doc) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    return json(reply, 200, doc);
  });

  const handle = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const segments = pathSegments(req.url);
    const core = segments[0] === 'api';
    const group = core ? '' : segments[1]!;
    const version = core ? segments[1] : segments[2];
    const rest = segments.slice(core ? 2 : 3);
    if (!version) {
      const g = apiGroup(registry, group);
      if (!g || req.method !== 'GET') throw notFound(group, '', '');
      return json(reply, 200, g);
    }
    if (!rest.length) {
      const list = resourceList(registry, group, version);
      if (!list || req.method !== 'GET') throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return json(reply, 200, list);
    }
    return serveResource(req, reply, parseResourcePath(registry, group, version, rest));
  };
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/api/*', handler: handle });
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/apis/*', handler: handle });

  async function serveResource(req: FastifyRequest, reply: FastifyReply, r: ResourceRequest): Promise<unknown> {
    const who = requests.get(req)!;
    const user = who.user;
    const q = new URLSearchParams(req.url.split('?')[1] ?? '');
    const { t, namespace, name, subresource } = r;
    const watch = r.watchPath || q.get('watch') === 'true' || q.get('watch') === '1';
    const verb = auditVerb(req.method, !!name, watch);
    const record: AuditRecord = {
      user,
      verb,
      apiGroup: t.group,
      resource: t.plural,
      ...(subresource ? { subresource } : {}),
      ...(namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
    };
    audit.push(record);
    if (t.verbs && !t.verbs.includes(verb)) throw methodNotSupported(t.group, t.plural, verb);
    // Every authenticated user may ask about itself (the system:basic-user ClusterRole).
    const selfReview = t.group === 'authorization.k8s.io' && t.kind === 'SelfSubjectAccessReview';
    if (deps.authorization === 'RBAC' && !selfReview && !rbacAllows(api, who, record))
      throw new ApiError(403, 'Forbidden', forbiddenMessage(who, record), { ...(name ? { name } : {}), group: t.group, kind: t.plural });
    const warnings: string[] = [];
    const write = {
      dryRun: q.getAll('dryRun').includes('All'),
      ...(q.get('fieldManager') ? { fieldManager: q.get('fieldManager')! } : {}),
      defaultFieldManager: String(req.headers['user-agent'] ?? 'unknown').split('/')[0]!.slice(0, 128) || 'unknown',
      fieldValidation: fieldValidationOf(q.get('fieldValidation')),
      warnings,
    };
    if (q.getAll('dryRun').some((d) => d !== 'All')) throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(q.getAll('dryRun'))}: supported values: "All"`);
    const respond = (code: number, body: unknown): FastifyReply => {
      if (warnings.length) reply.header('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', '));
      return json(reply, code, body);
    };
    const table = wantsTable(req.headers.accept) && !subresource;
    const include = (q.get('includeObject') ?? 'Metadata') as IncludeObject;

    switch (verb) {
      case 'get':
        if (subresource === 'log') return servePodLog(reply, t, namespace!, name!, q);
        checkSubresource(t, subresource, ['status', 'scale']);
        {
          const obj = api.get(t, namespace, name!, subresource || undefined);
          return respond(200, table ? toTable(t, [obj], { resourceVersion: obj.metadata.resourceVersion }, include) : obj);
        }
      case 'list': {
        const result = api.list(t, namespace, {
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector: q.get('fieldSelector') ?? undefined,
          limit: q.get('limit') ? Number(q.get('limit')) : undefined,
          continue: q.get('continue') ?? undefined,
          resourceVersion: q.get('resourceVersion') ?? undefined,
          resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
        });
        const listMeta = {
          resourceVersion: result.resourceVersion,
          ...(result.continue ? { continue: result.continue, remainingItemCount: result.remainingItemCount } : {}),
        };
        if (table) return respond(200, toTable(t, result.items, listMeta, include));
        return respond(200, { kind: t.listKind, apiVersion: t.group ? `${t.group}/${t.version}` : t.version, metadata: listMeta, items: result.items });
      }
      case 'watch':
        return serveWatch(req, reply, t, namespace, name, q, table, include);
      case 'create':
        if (name) {
          if (t.kind === 'Pod' && t.group === '' && subresource === 'binding') return respond(201, api.bind(namespace!, name, decodeBody(req), user));
          if (t.kind === 'ServiceAccount' && t.group === '' && subresource === 'token') return respond(201, tokenRequest(namespace!, name, decodeBody(req)));
          throw methodNotSupported(t.group, `${t.plural}${subresource ? `/${subresource}` : ''}`, 'create');
        }
        if (t.group === 'authorization.k8s.io') return respond(201, accessReview(t.kind, decodeBody(req), who));
        return respond(201, api.create(t, namespace, decodeBody(req), user, write));
      case 'update':
        checkSubresource(t, subresource, ['status', 'scale']);
        return respond(200, api.update(t, namespace, name!, decodeBody(req), subresource, user, write));
      case 'patch': {
        checkSubresource(t, subresource, ['status', 'scale']);
        const contentType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
        const type = PATCH_TYPES[contentType];
        if (!type)
          throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(', ')}`);
        const force = q.get('force') === 'true';
        if (q.has('force') && type !== 'apply') throw badRequest('force: Invalid value: true: may not be specified for non-apply patch');
        const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
        const existed = api.find(t, namespace, name!) !== undefined;
        const result = api.patch(t, namespace, name!, type, raw, subresource, user, { ...write, force });
        return respond(type === 'apply' && !existed ? 201 : 200, result);
      }
      case 'delete': {
        const options = deleteOptions(req, q);
        const result = api.delete(t, namespace, name!, options, { ...write, dryRun: write.dryRun || !!options.dryRun?.includes('All') });
        return respond((result as KObject).metadata?.deletionTimestamp && result.kind !== 'Status' ? 202 : 200, result);
      }
      case 'deletecollection':
      {
        const options = deleteOptions(req, q);
        const selectors = { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined };
        return respond(200, api.deleteCollection(t, namespace, selectors, options, { ...write, dryRun: write.dryRun || !!options.dryRun?.includes('All') }));
      }
    }
  }

  /** SelfSubjectAccessReview / SubjectAccessReview: the active authorizer's answer, never stored. */
  function accessReview(kind: string, body: Record<string, any>, who: UserInfo): Record<string, unknown> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const spec = body?.spec ?? {};
    const subject = kind === 'SubjectAccessReview' ? userInfoOf(String(spec.user ?? ''), spec.groups ?? []) : who;
    const attrs = spec.resourceAttributes;
    let allowed = true;
    if (attrs && deps.authorization === 'RBAC')
      allowed = rbacAllows(api, subject, {
        user: subject.user,
        verb: attrs.verb,
        apiGroup: attrs.group ?? '',
        resource: attrs.resource ?? '',
        ...(attrs.subresource ? { subresource: attrs.subresource } : {}),
        ...(attrs.namespace ? { namespace: attrs.namespace } : {}),
        ...(attrs.name ? { name: attrs.name } : {}),
      });
    return { apiVersion: 'authorization.k8s.io/v1', kind, metadata: { creationTimestamp: null }, spec, status: { allowed, ...(allowed ? {} : { reason: '' }) } };
  }

  function tokenRequest(namespace: string, name: string, body: Record<string, any>): Record<string, unknown> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const sa = api.get(registry.find('', 'v1', 'serviceaccounts')!, namespace, name);
    const expirationSeconds = body?.spec?.expirationSeconds ?? 3600;
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: timestamp() },
      spec: { audiences: body?.spec?.audiences ?? ['https://kubernetes.default.svc.cluster.local'], expirationSeconds, boundObjectRef: body?.spec?.boundObjectRef ?? null },
      status: { token: tokens.tokenFor(namespace, sa.metadata.name!), expirationTimestamp: timestamp(Date.now() + expirationSeconds * 1000) },
    };
  }

  function servePodLog(reply: FastifyReply, t: ResourceType, namespace: string, name: string, q: URLSearchParams): FastifyReply {
    const pod = api.get(t, namespace, name);
    const nodeName = (pod as Record<string, any>).spec?.nodeName as string | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
    const node = nodeName ? api.find(registry.find('', 'v1', 'nodes')!, undefined, nodeName) : undefined;
    const query = Object.fromEntries(q.entries());
    reply.hijack();
    try {
      proxyPodLog(pod, node, query, reply.raw);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 'InternalError', String(err));
      reply.raw.writeHead(e.code, { 'Content-Type': 'application/json' });
      reply.raw.end(JSON.stringify(e.toStatus()));
    }
    return reply;
  }

  function serveWatch(
    req: FastifyRequest,
    reply: FastifyReply,
    t: ResourceType,
    namespace: string | undefined,
    name: string | undefined,
    q: URLSearchParams,
    table: boolean,
    include: IncludeObject,
  ): FastifyReply {
    const pending: string[] = [];
    let live = false;
    let ended = false;
    const raw = reply.raw;
    const line = (type: string, object: unknown): string => `${JSON.stringify({ type, object })}\n`;
    const sink: WatchSink = (type, object) => {
      if (ended) return;
      const shown = table && type !== 'ERROR' && type !== 'BOOKMARK' ? toTable(t, [object as KObject], {}, include) : object;
      const text = line(type, shown);
      if (live) raw.write(text);
      else pending.push(text);
      if (type === 'ERROR') setImmediate(finish);
    };
    const fieldSelector = [q.get('fieldSelector'), name ? `metadata.name=${name}` : undefined].filter(Boolean).join(',');
    const stop = api.watch(
      t,
      namespace,
      {
        labelSelector: q.get('labelSelector') ?? undefined,
        fieldSelector: fieldSelector || undefined,
        resourceVersion: q.get('resourceVersion') ?? undefined,
        allowWatchBookmarks: q.get('allowWatchBookmarks') === 'true',
        sendInitialEvents: q.get('sendInitialEvents') === 'true',
        bookmarkIntervalMs: deps.watchBookmarkIntervalMs,
      },
      sink,
    );
    const requested = Number(q.get('timeoutSeconds') ?? deps.watchTimeoutSeconds);
    const timeout = setTimeout(() => finish(), Math.min(requested, deps.watchTimeoutSeconds) * 1000);
    function finish(): void {
      if (ended) return;
      ended = true;
      clearTimeout(timeout);
      stop();
      openWatches.delete(finish);
      raw.end();
    }
    openWatches.add(finish);
    reply.hijack();
    raw.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    raw.flushHeaders();
    for (const text of pending) raw.write(text);
    live = true;
    raw.on('close', finish);
    req.raw.on('close', finish);
    return reply;
  }

  return {
    app,
    closeWatches: () => {
      for (const finish of [...openWatches]) finish();
    },
  };
}

function parseResourcePath(registry: ResourceRegistry, group: string, version: string, rest: string[]): ResourceRequest {
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && registry.find(group, version, rest[2]!)?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const t = registry.find(group, version, rest[0]!);
  if (!t || rest.length > 3 || (namespace && !t.namespaced)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  return { t, ...(namespace ? { namespace } : {}), ...(rest[1] ? { name: rest[1] } : {}), subresource: rest[2] ?? '', watchPath };
}

function checkSubresource(t: ResourceType, subresource: string, allowed: string[]): void {
  if (!subresource) return;
  const served = (subresource === 'status' && t.statusSubresource) || (subresource === 'scale' && t.scale);
  if (!allowed.includes(subresource) || !served) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

function auditVerb(method: string, named: boolean, watch: boolean): AuditRecord['verb'] {
  switch (method) {
    case 'GET':
      return watch ? 'watch' : named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      if (!named) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      return 'update';
    case 'PATCH':
      if (!named) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      return 'patch';
    default:
      return named ? 'delete' : 'deletecollection';
  }
}

function fieldValidationOf(value: string | null): FieldValidation {
  if (value === null || value === '') return 'Warn';
  if (value === 'Ignore' || value === 'Warn' || value === 'Strict') return value;
  throw badRequest(`fieldValidation: Unsupported value: "${value}": supported values: "Ignore", "Strict", "Warn"`);
}

function decodeBody(req: FastifyRequest): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const type = String(req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
  if (type === 'application/vnd.kubernetes.protobuf' && Buffer.isBuffer(req.body) && req.body.length) return decodeProtobufObject(req.body);
  if (type !== 'application/json' && type !== 'application/yaml' && type !== '*/*')
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
  const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  if (!text.trim()) return {};
  try {
    return (type.includes('yaml') ? parseYaml(text) : JSON.parse(text)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
  }
}

function deleteOptions(req: FastifyRequest, q: URLSearchParams): DeleteOptions {
  const body = decodeBody(req) as DeleteOptions;
  const options: DeleteOptions = { ...body };
  const policy = q.get('propagationPolicy');
  if (policy) options.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  if (q.get('gracePeriodSeconds') !== null) options.gracePeriodSeconds = Number(q.get('gracePeriodSeconds'));
  if (q.get('orphanDependents') !== null) options.orphanDependents = q.get('orphanDependents') === 'true';
  return options;
}

function pathSegments(url: string): string[] {
  return url
    .split('?')[0]!
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
}

async function sendError(reply: FastifyReply, err: unknown): Promise<void> {
  const e =
    err instanceof ApiError
      ? err
      : new ApiError((err as { statusCode?: number }).statusCode ?? 500, (err as { statusCode?: number }).statusCode === 413 ? 'RequestEntityTooLarge' : 'InternalError', (err as Error).message ?? String(err));
  await reply.code(e.code).header('Content-Type', 'application/json').send(JSON.stringify(e.toStatus()));
}
