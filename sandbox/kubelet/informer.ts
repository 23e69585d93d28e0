import { ApiError, type ApiClient, type WatchEvent } from '../kube-api/api-client.ts';
import { objectKey, type KubeObject, type ListOf } from '../kube-api/kube-types.ts';

export type InformerEvent = 'add' | 'update' | 'delete';

export interface InformerOptions<T extends KubeObject> {
  client: ApiClient;
  /** Collection path, e.g. `/api/v1/pods`. */
  path: string;
  fieldSelector?: string;
  /**
   * Asks the API server to end each watch after this many seconds (`timeoutSeconds`), as
   * client-go's reflectors do; the informer then resumes from the last resourceVersion it saw.
   * Default: the server's own limit.
   */
  watchTimeoutSeconds?: number;
  onEvent: (type: InformerEvent, obj: T) => void;
  /** Called after each (re)list has been applied to the cache. */
  onSynced?: () => void;
  onError?: (err: unknown) => void;
}

export interface Informer<T extends KubeObject> {
  list(): T[];
  get(key: string): T | undefined;
  /** Resolves after the first list has been applied. */
  synced: Promise<void>;
  stop(): void;
}

const RETRY_MS = 500;

/**
 * List-then-watch cache of one resource (a reflector + store, as client-go's informers): relists
 * on `410 Gone` and after errors, resumes watches from the last seen resourceVersion (bookmarks
 * included), and turns a relist into the adds, updates and deletes it implies.
 */
export function startInformer<T extends KubeObject>(options: InformerOptions<T>): Informer<T> {
  const cache = new Map<string, T>();
  const abort = new AbortController();
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => (markSynced = resolve));
  // a failing handler must not tear down the watch (that would relist in a loop)
  const emit = (type: InformerEvent, obj: T) => {
    try {
      options.onEvent(type, obj);
    } catch (err) {
      options.onError?.(err);
    }
  };
  const selector = options.fieldSelector === undefined ? '' : `fieldSelector=${encodeURIComponent(options.fieldSelector)}`;
  const query = (extra: string): string => [selector, extra].filter((s) => s.length > 0).join('&');

  async function relist(): Promise<string> {
    const list = await options.client.get<ListOf<T>>(`${options.path}?${query('')}`);
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = objectKey(item);
      seen.add(key);
      const old = cache.get(key);
      cache.set(key, item);
      if (old === undefined) emit('add', item);
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) emit('update', item);
    }
    for (const [key, old] of cache) {
      if (!seen.has(key)) {
        cache.delete(key);
        emit('delete', old);
      }
    }
    markSynced();
    options.onSynced?.();
    return list.metadata.resourceVersion ?? '0';
  }

  function apply(event: WatchEvent<T>): string | undefined {
    const obj = event.object;
    if (event.type === 'ERROR') {
      const status = obj as unknown as { code?: number; reason?: string; message?: string };
      throw new ApiError(status.code ?? 500, status.reason ?? 'WatchError', status.message ?? 'watch error');
    }
    if (event.type === 'BOOKMARK') return obj.metadata.resourceVersion;
    const key = objectKey(obj);
    if (event.type === 'DELETED') {
      cache.delete(key);
      emit('delete', obj);
    } else {
      const existed = cache.has(key);
      cache.set(key, obj);
      emit(existed ? 'update' : 'add', obj);
    }
    return obj.metadata.resourceVersion;
  }

  async function run(): Promise<void> {
    let resourceVersion: string | undefined;
    while (!abort.signal.aborted) {
      try {
        if (resourceVersion === undefined) resourceVersion = await relist();
        const timeout = options.watchTimeoutSeconds === undefined ? '' : `&timeoutSeconds=${options.watchTimeoutSeconds}`;
        const path = `${options.path}?${query(`watch=true&allowWatchBookmarks=true&resourceVersion=${resourceVersion}${timeout}`)}`;
        await options.client.watch<T>(path, abort.signal, (event) => {
          const rv = apply(event);
          if (rv !== undefined) resourceVersion = rv;
        });
      } catch (err) {
        if (abort.signal.aborted) return;
        resourceVersion = undefined;
        if (!(err instanceof ApiError && err.code === 410)) {
          options.onError?.(err);
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    }
  }
  void run();

  return {
    list: () => [...cache.values()],
    get: (key) => cache.get(key),
    synced,
    stop: () => abort.abort(),
  };
}
