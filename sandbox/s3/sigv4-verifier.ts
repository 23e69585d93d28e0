// Verifies AWS Signature Version 4 on requests signed in the Authorization header.
// s3rver checks only that the access key id exists and accepts any V4 signature; a real S3 or MinIO
// rejects a wrong secret, so the sandbox does too.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SignedRequest {
  method: string;
  /** The request target exactly as received: path and query, still percent-encoded. */
  url: string;
  headers: IncomingHttpHeaders;
}

export type SignatureVerdict =
  | { ok: true }
  | { ok: false; status: 403; code: 'AccessDenied' | 'InvalidAccessKeyId' | 'SignatureDoesNotMatch'; message: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

export function verifySignatureV4(request: SignedRequest, secretFor: (accessKeyId: string) => string | undefined): SignatureVerdict {
  const authorization = headerValue(request.headers, 'authorization');
  if (authorization === undefined) {
    return { ok: false, status: 403, code: 'AccessDenied', message: 'Anonymous access is not allowed: sign requests with AWS Signature Version 4.' };
  }
  const match = AUTHORIZATION.exec(authorization);
  if (!match) {
    return { ok: false, status: 403, code: 'AccessDenied', message: 'Only AWS Signature Version 4 in the Authorization header is supported.' };
  }
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as [string, string, string, string, string, string, string];
  const secret = secretFor(accessKeyId);
  if (secret === undefined) {
    return { ok: false, status: 403, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
  }
  const amzDate = headerValue(request.headers, 'x-amz-date') ?? '';
  const payloadHash = headerValue(request.headers, 'x-amz-content-sha256') ?? 'UNSIGNED-PAYLOAD';
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(request.url),
    canonicalQuery(request.url),
    signedHeaders.split(';').map((name) => `${name}:${canonicalHeaderValue(headerValue(request.headers, name) ?? '')}\n`).join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = [date, region, service, 'aws4_request'].reduce<Buffer>((key, part) => hmac(key, part), Buffer.from(`AWS4${secret}`));
  const expected = hmac(signingKey, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return { ok: false, status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' };
  }
  return { ok: true };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

/** S3 signs the path as sent, without normalizing or encoding it a second time. */
function canonicalPath(url: string): string {
  const end = url.indexOf('?');
  return end === -1 ? url : url.slice(0, end);
}

function canonicalQuery(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return '';
  return url
    .slice(start + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq === -1 ? pair : pair.slice(0, eq);
      const value = eq === -1 ? '' : pair.slice(eq + 1);
      return [uriEncode(decodeQueryComponent(key)), uriEncode(decodeQueryComponent(value))] as const;
    })
    .sort(([ka, va], [kb, vb]) => (ka === kb ? compare(va, vb) : compare(ka, kb)))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/** Malformed escapes cannot have been signed by a real client; kept as they are, the signature will not match. */
function decodeQueryComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}
