import { ApiError } from './api-error.ts';

/**
 * Decoding of `application/vnd.kubernetes.protobuf` request bodies. client-go's typed clients
 * (kubectl create namespace/secret/configmap/serviceaccount, kubectl auth can-i, helm's release storage) send
 * protobuf; everything else (apply, patch, dynamic clients, client-node) sends JSON. Only the
 * kinds below are understood, and a field this table does not know is refused rather than lost.
 * Field numbers are those of the Kubernetes API's protobuf wire format (k8s.io/api generated.proto).
 */
/** `ignored`: read and dropped (managedFields: writes recompute them, as for JSON bodies). */
type Scalar = 'string' | 'int' | 'bool' | 'bytes' | 'time' | 'ignored';
type FieldType = Scalar | MessageSpec | { map: Scalar } | { repeated: Scalar | MessageSpec };
interface MessageSpec {
  name: string;
  fields: Record<number, [string, FieldType]>;
}

const time: Scalar = 'time';
const ownerReference: MessageSpec = {
  name: 'OwnerReference',
  fields: { 1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['controller', 'bool'], 7: ['blockOwnerDeletion', 'bool'] },
};
const objectMeta: MessageSpec = {
  name: 'ObjectMeta',
  fields: {
    1: ['name', 'string'],
    2: ['generateName', 'string'],
    3: ['namespace', 'string'],
    4: ['selfLink', 'string'],
    5: ['uid', 'string'],
    6: ['resourceVersion', 'string'],
    7: ['generation', 'int'],
    8: ['creationTimestamp', time],
    9: ['deletionTimestamp', time],
    10: ['deletionGracePeriodSeconds', 'int'],
    11: ['labels', { map: 'string' }],
    12: ['annotations', { map: 'string' }],
    13: ['ownerReferences', { repeated: ownerReference }],
    14: ['finalizers', { repeated: 'string' }],
    17: ['managedFields', 'ignored'],
  },
};
const objectReference: MessageSpec = {
  name: 'ObjectReference',
  fields: { 1: ['kind', 'string'], 2: ['namespace', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['resourceVersion', 'string'], 7: ['fieldPath', 'string'] },
};
const deleteOptions: MessageSpec = {
  name: 'DeleteOptions',
  fields: {
    1: ['gracePeriodSeconds', 'int'],
    2: ['preconditions', { name: 'Preconditions', fields: { 1: ['uid', 'string'], 2: ['resourceVersion', 'string'] } }],
    3: ['orphanDependents', 'bool'],
    4: ['propagationPolicy', 'string'],
    5: ['dryRun', { repeated: 'string' }],
    6: ['ignoreStoreReadErrorWithClusterBreakingPotential', 'bool'],
  },
};
const resourceAttributes: MessageSpec = {
  name: 'ResourceAttributes',
  fields: {
    1: ['namespace', 'string'],
    2: ['verb', 'string'],
    3: ['group', 'string'],
    4: ['version', 'string'],
    5: ['resource', 'string'],
    6: ['subresource', 'string'],
    7: ['name', 'string'],
    8: ['fieldSelector', 'ignored'],
    9: ['labelSelector', 'ignored'],
  },
};
const nonResourceAttributes: MessageSpec = { name: 'NonResourceAttributes', fields: { 1: ['path', 'string'], 2: ['verb', 'string'] } };
const kinds: Record<string, MessageSpec> = {
  'authorization.k8s.io/v1/SelfSubjectAccessReview': {
    name: 'SelfSubjectAccessReview',
    fields: {
      1: ['metadata', objectMeta],
      2: ['spec', { name: 'SelfSubjectAccessReviewSpec', fields: { 1: ['resourceAttributes', resourceAttributes], 2: ['nonResourceAttributes', nonResourceAttributes] } }],
      3: ['status', 'ignored'],
    },
  },
  'authorization.k8s.io/v1/SubjectAccessReview': {
    name: 'SubjectAccessReview',
    fields: {
      1: ['metadata', objectMeta],
      2: [
        'spec',
        {
          name: 'SubjectAccessReviewSpec',
          fields: {
            1: ['resourceAttributes', resourceAttributes],
            2: ['nonResourceAttributes', nonResourceAttributes],
            3: ['user', 'string'],
            4: ['groups', { repeated: 'string' }],
            5: ['extra', 'ignored'],
            6: ['uid', 'string'],
          },
        },
      ],
      3: ['status', 'ignored'],
    },
  },
  'v1/DeleteOptions': deleteOptions,
  'meta.k8s.io/v1/DeleteOptions': deleteOptions,
  'v1/Namespace': {
    name: 'Namespace',
    fields: {
      1: ['metadata', objectMeta],
      2: ['spec', { name: 'NamespaceSpec', fields: { 1: ['finalizers', { repeated: 'string' }] } }],
      3: ['status', { name: 'NamespaceStatus', fields: { 1: ['phase', 'string'] } }],
    },
  },
  'v1/Secret': {
    name: 'Secret',
    fields: { 1: ['metadata', objectMeta], 2: ['data', { map: 'bytes' }], 3: ['type', 'string'], 4: ['stringData', { map: 'string' }], 5: ['immutable', 'bool'] },
  },
  'v1/ConfigMap': {
    name: 'ConfigMap',
    fields: { 1: ['metadata', objectMeta], 2: ['data', { map: 'string' }], 3: ['binaryData', { map: 'bytes' }], 4: ['immutable', 'bool'] },
  },
  'v1/ServiceAccount': {
    name: 'ServiceAccount',
    fields: {
      1: ['metadata', objectMeta],
      2: ['secrets', { repeated: objectReference }],
      3: ['imagePullSecrets', { repeated: { name: 'LocalObjectReference', fields: { 1: ['name', 'string'] } } }],
      4: ['automountServiceAccountToken', 'bool'],
    },
  },
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a protobuf-encoded object (the `k8s\0` + runtime.Unknown envelope) into its JSON form. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw unsupported('the body does not start with the Kubernetes protobuf magic number');
  const unknown = readFields(body.subarray(4));
  const typeMeta = readFields(bytesOf(unknown, 1) ?? Buffer.alloc(0));
  const apiVersion = bytesOf(typeMeta, 1)?.toString('utf8') ?? '';
  const kind = bytesOf(typeMeta, 2)?.toString('utf8') ?? '';
  const spec = kinds[`${apiVersion}/${kind}`];
  if (!spec)
    throw unsupported(`protobuf-encoded ${apiVersion} ${kind} is not understood by this API server emulation; send it as JSON (for example with kubectl apply)`);
  return { apiVersion, kind, ...decodeMessage(bytesOf(unknown, 2) ?? Buffer.alloc(0), spec) };
}

function decodeMessage(buf: Buffer, spec: MessageSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [num, value] of readFieldList(buf)) {
    const field = spec.fields[num];
    if (!field) throw unsupported(`${spec.name} field number ${num} is not understood by this API server emulation`);
    const [name, type] = field;
    if (typeof type === 'object' && 'map' in type) {
      const entry = readFields(value as Buffer);
      const key = bytesOf(entry, 1)?.toString('utf8') ?? '';
      ((out[name] ??= {}) as Record<string, unknown>)[key] = scalar(entry.get(2)?.[0] ?? Buffer.alloc(0), type.map);
    } else if (typeof type === 'object' && 'repeated' in type) {
      ((out[name] ??= []) as unknown[]).push(typeof type.repeated === 'string' ? scalar(value, type.repeated) : decodeMessage(value as Buffer, type.repeated));
    } else {
      const decoded = typeof type === 'string' ? scalar(value, type) : decodeMessage(value as Buffer, type);
      // gogo-protobuf writes every non-pointer field; empty values are JSON's omitted ones.
      if (decoded !== '' && decoded !== undefined && !(type === 'int' && decoded === 0 && name !== 'gracePeriodSeconds')) out[name] = decoded;
    }
  }
  return out;
}

function scalar(value: Buffer | bigint, type: Scalar): unknown {
  switch (type) {
    case 'ignored':
      return undefined;
    case 'string':
      return (value as Buffer).toString('utf8');
    case 'bytes':
      return (value as Buffer).toString('base64');
    case 'int':
      return Number(BigInt.asIntN(64, value as bigint));
    case 'bool':
      return (value as bigint) !== 0n;
    case 'time': {
      const t = readFields(value as Buffer);
      const seconds = Number((t.get(1)?.[0] as bigint | undefined) ?? 0n);
      if (seconds === 0) return undefined;
      return new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    }
  }
}

function readFieldList(buf: Buffer): [number, Buffer | bigint][] {
  const fields: [number, Buffer | bigint][] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw unsupported('truncated protobuf varint');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const num = tag >>> 3;
    switch (tag & 7) {
      case 0:
        fields.push([num, varint()]);
        break;
      case 2: {
        const len = Number(varint());
        if (pos + len > buf.length) throw unsupported('truncated protobuf field');
        fields.push([num, buf.subarray(pos, pos + len)]);
        pos += len;
        break;
      }
      case 1:
        fields.push([num, buf.readBigUInt64LE(pos)]);
        pos += 8;
        break;
      case 5:
        fields.push([num, BigInt(buf.readUInt32LE(pos))]);
        pos += 4;
        break;
      default:
        throw unsupported(`unsupported protobuf wire type ${tag & 7}`);
    }
  }
  return fields;
}

function readFields(buf: Buffer): Map<number, (Buffer | bigint)[]> {
  const map = new Map<number, (Buffer | bigint)[]>();
  for (const [num, value] of readFieldList(buf)) map.set(num, [...(map.get(num) ?? []), value]);
  return map;
}

const bytesOf = (fields: Map<number, (Buffer | bigint)[]>, num: number): Buffer | undefined => fields.get(num)?.[0] as Buffer | undefined;

const unsupported = (message: string): ApiError => new ApiError(415, 'UnsupportedMediaType', message);
