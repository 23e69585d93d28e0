import { jsonEqual } from './json-equal.ts';
import type { StatusCause } from './api-error.ts';
import type { ClusterIpAllocator } from './cluster-ip-allocator.ts';
import { labelSelectorFromObject, matchesLabels } from './label-selector.ts';
import type { KObject } from './resource-type.ts';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- admission edits loosely-typed JSON

/**
 * The defaulting and validation Kubernetes applies to built-in kinds on create and update
 * (the subset that clients observe: defaults kubectl diffs against, errors they must handle).
 */
export function admitBuiltin(kind: string, obj: KObject, old: KObject | undefined, ips: ClusterIpAllocator): StatusCause[] {
  const o = obj as J;
  switch (kind) {
    case 'Pod':
      defaultPodSpec((o.spec ??= {}));
      if (!old) o.status = { phase: 'Pending', qosClass: qosClass(o.spec) };
      return [...validatePodSpec(o.spec, 'spec'), ...(old ? podUpdateForbidden(old as J, o) : [])];
    case 'Deployment':
    case 'ReplicaSet':
      return admitWorkload(kind, o, old as J | undefined);
    case 'Service':
      return admitService(o, old as J | undefined, ips);
    case 'Secret':
      return admitSecret(o);
    case 'Namespace':
      o.spec = { finalizers: ['kubernetes'], ...(o.spec ?? {}) };
      o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name };
      if (!old) o.status = { phase: 'Active' };
      return [];
    case 'ConfigMap':
      return Object.keys({ ...o.data, ...o.binaryData })
        .filter((k) => !/^[-._a-zA-Z0-9]+$/.test(k))
        .map((k) => ({ field: `data[${k}]`, message: `Invalid value: "${k}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'` }));
    default:
      return [];
  }
}

function defaultPodSpec(spec: J): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (typeof c !== 'object' || c === null) continue;
    const image = String(c.image ?? '');
    c.imagePullPolicy ??= image.endsWith(':latest') || !/:[^/]+$/.test(image) ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    for (const p of c.ports ?? []) p.protocol ??= 'TCP';
    for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
      if (!probe || typeof probe !== 'object') continue;
      probe.timeoutSeconds ??= 1;
      probe.periodSeconds ??= 10;
      probe.successThreshold ??= 1;
      probe.failureThreshold ??= 3;
      if (probe.httpGet) probe.httpGet.scheme ??= 'HTTP';
    }
    for (const e of c.env ?? []) if (e?.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
  for (const v of spec.volumes ?? []) {
    for (const source of ['configMap', 'secret', 'downwardAPI', 'projected'])
      if (v?.[source] && typeof v[source] === 'object') v[source].defaultMode ??= 0o644;
    for (const item of v?.downwardAPI?.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ??= 'v1';
  }
}

function validatePodSpec(spec: J, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) causes.push({ reason: 'FieldValueRequired', field: `${at}.containers`, message: 'Required value' });
  const names = new Set<string>();
  (spec.containers ?? []).forEach((c: J, i: number) => {
    const field = `${at}.containers[${i}]`;
    if (!c?.name) causes.push({ reason: 'FieldValueRequired', field: `${field}.name`, message: 'Required value' });
    else if (names.has(c.name)) causes.push({ reason: 'FieldValueDuplicate', field: `${field}.name`, message: `Duplicate value: "${c.name}"` });
    else names.add(c.name);
    if (!c?.image) causes.push({ reason: 'FieldValueRequired', field: `${field}.image`, message: 'Required value' });
  });
  if (!['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy))
    causes.push({ reason: 'FieldValueNotSupported', field: `${at}.restartPolicy`, message: `Unsupported value: "${spec.restartPolicy}": supported values: "Always", "OnFailure", "Never"` });
  return causes;
}

/** Pods are immutable except container images, activeDeadlineSeconds and added tolerations. */
function podUpdateForbidden(old: J, next: J): StatusCause[] {
  const mutable = (spec: J): J => ({
    ...spec,
    containers: (spec.containers ?? []).map((c: J) => ({ ...c, image: undefined })),
    initContainers: (spec.initContainers ?? []).map((c: J) => ({ ...c, image: undefined })),
    activeDeadlineSeconds: undefined,
    tolerations: undefined,
  });
  if (jsonEqual(JSON.parse(JSON.stringify(mutable(old.spec))), JSON.parse(JSON.stringify(mutable(next.spec))))) return [];
  return [
    {
      reason: 'FieldValueForbidden',
      field: 'spec',
      message:
        'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    },
  ];
}

function qosClass(spec: J): string {
  const resources = (spec.containers ?? []).map((c: J) => c.resources ?? {});
  return resources.some((r: J) => Object.keys(r.requests ?? {}).length || Object.keys(r.limits ?? {}).length) ? 'Burstable' : 'BestEffort';
}

function admitWorkload(kind: string, o: J, old: J | undefined): StatusCause[] {
  const spec = (o.spec ??= {});
  spec.replicas ??= 1;
  if (kind === 'Deployment') {
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    spec.strategy ??= { type: 'RollingUpdate' };
    if (spec.strategy.type === 'RollingUpdate') spec.strategy.rollingUpdate = { maxSurge: '25%', maxUnavailable: '25%', ...spec.strategy.rollingUpdate };
  }
  const template = (spec.template ??= {});
  defaultPodSpec((template.spec ??= {}));
  const causes: StatusCause[] = [];
  if (!spec.selector || (!Object.keys(spec.selector.matchLabels ?? {}).length && !(spec.selector.matchExpressions ?? []).length))
    causes.push({ reason: 'FieldValueRequired', field: 'spec.selector', message: 'Required value' });
  else if (!matchesLabels(labelSelectorFromObject(spec.selector), template.metadata?.labels))
    causes.push({
      field: 'spec.template.metadata.labels',
      message: `Invalid value: ${JSON.stringify(template.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\``,
    });
  if (old && !jsonEqual(old.spec?.selector, spec.selector))
    causes.push({ field: 'spec.selector', message: `Invalid value: ${JSON.stringify(spec.selector)}: field is immutable` });
  if (typeof spec.replicas !== 'number' || spec.replicas < 0)
    causes.push({ field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0` });
  causes.push(...validatePodSpec(template.spec, 'spec.template.spec'));
  return causes;
}

function admitService(o: J, old: J | undefined, ips: ClusterIpAllocator): StatusCause[] {
  const spec = (o.spec ??= {});
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  spec.internalTrafficPolicy ??= 'Cluster';
  spec.ipFamilies ??= ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';
  for (const p of spec.ports ?? []) {
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
  }
  const causes: StatusCause[] = [];
  if (old) {
    if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = old.spec?.clusterIP;
    else if (spec.clusterIP !== old.spec?.clusterIP)
      causes.push({ field: 'spec.clusterIP', message: `Invalid value: "${spec.clusterIP}": field is immutable` });
  } else if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = ips.allocate();
  else if (spec.clusterIP !== 'None') ips.reserve(spec.clusterIP);
  spec.clusterIPs = [spec.clusterIP];
  if (spec.clusterIP !== 'None' && !(spec.ports ?? []).length) causes.push({ reason: 'FieldValueRequired', field: 'spec.ports', message: 'Required value' });
  (spec.ports ?? []).forEach((p: J, i: number) => {
    if (typeof p.port !== 'number' || p.port < 1 || p.port > 65535)
      causes.push({ field: `spec.ports[${i}].port`, message: `Invalid value: ${JSON.stringify(p.port)}: must be between 1 and 65535, inclusive` });
    if ((spec.ports.length > 1) && !p.name) causes.push({ reason: 'FieldValueRequired', field: `spec.ports[${i}].name`, message: 'Required value' });
  });
  return causes;
}

function admitSecret(o: J): StatusCause[] {
  o.type ??= 'Opaque';
  if (o.stringData) {
    o.data = { ...o.data };
    for (const [k, v] of Object.entries(o.stringData)) o.data[k] = Buffer.from(String(v)).toString('base64');
    delete o.stringData;
  }
  return Object.entries(o.data ?? {})
    .filter(([, v]) => typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0)
    .map(([k]) => ({ field: `data[${k}]`, message: 'Invalid value: "<secret contents redacted>": illegal base64 data' }));
}
