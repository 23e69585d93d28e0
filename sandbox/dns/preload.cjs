'use strict';
/**
 * Service DNS for processes the sandbox kubelet starts, loaded with `NODE_OPTIONS=--require <this file>`.
 * Plain CommonJS on purpose: it is preloaded into arbitrary Node processes (before any TypeScript
 * loader), so it cannot be TypeScript or ESM.
 *
 * It wraps `dns.lookup`, `dns.resolve4` and their promise versions; `net.connect`, `http.get` and `fetch` (undici
 * connects through `net.connect`, which calls `dns.lookup` at connect time) all go through it.
 * Names are resolved like a pod's resolv.conf with `ndots:5` and the search list
 * `<ns>.svc.cluster.local svc.cluster.local cluster.local`, against the resolution table the kubelet
 * rewrites (atomically, by rename) on every Service/Endpoints change. Cluster names missing from the
 * table fail with ENOTFOUND, like NXDOMAIN from cluster DNS; other names go to the real resolver.
 */
const dns = require('node:dns');
const fs = require('node:fs');

const tablePath = process.env.SANDBOX_DNS_TABLE;
const search = (process.env.SANDBOX_DNS_SEARCH || '').split(/\s+/).filter(Boolean);
const clusterDomain = process.env.SANDBOX_CLUSTER_DOMAIN || 'cluster.local';
const NDOTS = 5;

let cached = { ino: -1, mtimeMs: -1, size: -1, names: {} };

function table() {
  let st;
  try {
    st = fs.statSync(tablePath);
  } catch {
    return {};
  }
  if (st.ino !== cached.ino || st.mtimeMs !== cached.mtimeMs || st.size !== cached.size) {
    try {
      cached = { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, names: JSON.parse(fs.readFileSync(tablePath, 'utf8')).names };
    } catch {
      return cached.names;
    }
  }
  return cached.names;
}

function isClusterName(name) {
  return name === clusterDomain || name.endsWith('.' + clusterDomain);
}


/** Returns the addresses for a name, [] when it is a cluster name without records, or null when it is not ours. */
function resolve(hostname) {
  if (typeof hostname !== 'string' || hostname.length === 0) return null;
  const name = hostname.toLowerCase().replace(/\.$/, '');
  const names = table();
  const absolute = hostname.endsWith('.');
  const candidates = [];
  const dots = name.split('.').length - 1;
  if (absolute || dots >= NDOTS) candidates.push(name);
  if (!absolute) for (const domain of search) candidates.push(name + '.' + domain);
  if (!absolute && dots < NDOTS) candidates.push(name);
  for (const candidate of candidates) {
    const addresses = names[candidate];
    if (addresses) return addresses;
  }
  return isClusterName(name) || name.endsWith('.svc') ? [] : null;
}

function notFound(hostname) {
  const err = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  err.code = 'ENOTFOUND';
  err.errno = -3008;
  err.syscall = 'getaddrinfo';
  err.hostname = hostname;
  return err;
}

/** Normal Services have one record chosen among ready endpoints (no ClusterIP proxy); headless ones all. */
function answer(hostname, addresses, options) {
  const family = typeof options === 'number' ? options : (options && options.family) || 0;
  if (family === 6) return notFound(hostname);
  const all = typeof options === 'object' && options !== null && options.all === true;
  if (all) return addresses.map((address) => ({ address, family: 4 }));
  const picked = addresses.length === 1 ? addresses[0] : addresses[Math.floor(Math.random() * addresses.length)];
  return { address: picked, family: 4 };
}

const originalLookup = dns.lookup;
function lookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'function' ? undefined : options;
  const addresses = resolve(hostname);
  if (addresses === null) return originalLookup.call(dns, hostname, opts === undefined ? {} : opts, cb);
  const result = addresses.length === 0 ? notFound(hostname) : answer(hostname, addresses, opts);
  process.nextTick(() => {
    if (result instanceof Error) cb(result);
    else if (Array.isArray(result)) cb(null, result);
    else cb(null, result.address, result.family);
  });
  return {};
}
dns.lookup = lookup;

const originalPromisesLookup = dns.promises.lookup;
dns.promises.lookup = async function promisesLookup(hostname, options) {
  const addresses = resolve(hostname);
  if (addresses === null) return originalPromisesLookup.call(dns.promises, hostname, options);
  const result = addresses.length === 0 ? notFound(hostname) : answer(hostname, addresses, options);
  if (result instanceof Error) throw result;
  return result;
};

// A-record queries (`dns.resolve4`): cluster names answer with every address in the table, like cluster DNS.
const originalResolve4 = dns.resolve4;
dns.resolve4 = function resolve4(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  const addresses = resolve(hostname);
  if (addresses === null) return originalResolve4.apply(dns, arguments);
  process.nextTick(() => (addresses.length === 0 ? cb(notFound(hostname)) : cb(null, records(addresses, options))));
};

/** `{ ttl: true }` asks for `{ address, ttl }` records; cluster DNS answers with a 5 s TTL. */
function records(addresses, options) {
  return options && typeof options === 'object' && options.ttl ? addresses.map((address) => ({ address, ttl: 5 })) : addresses.slice();
}

const originalPromisesResolve4 = dns.promises.resolve4;
dns.promises.resolve4 = async function promisesResolve4(hostname, options) {
  const addresses = resolve(hostname);
  if (addresses === null) return originalPromisesResolve4.call(dns.promises, hostname, options);
  if (addresses.length === 0) throw notFound(hostname);
  return records(addresses, options);
};
