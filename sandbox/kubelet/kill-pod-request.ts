import { request } from 'node:https';

/** Where a kubelet serves and who calls it: the cluster CA and an admin client certificate (PEM). */
export interface KubeletCaller {
  kubeletUrl: string;
  ca: string;
  cert: string;
  key: string;
}

/**
 * Fault injection from outside the kubelet's process: `POST /sandbox/kill-pod/<ns>/<pod>` on its
 * HTTPS endpoint, which SIGKILLs the pod's processes (a container crash, as the kubelet then sees it).
 * Resolves with the HTTP status and the JSON answer (`{killed}` or `{error}`).
 */
export function killPodRequest(caller: KubeletCaller, namespace: string, pod: string): Promise<{ status: number; body: unknown }> {
  const url = `${caller.kubeletUrl}/sandbox/kill-pod/${encodeURIComponent(namespace)}/${encodeURIComponent(pod)}`;
  return new Promise((done, fail) => {
    const req = request(url, { method: 'POST', ca: caller.ca, cert: caller.cert, key: caller.key }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          done({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          done({ status: res.statusCode ?? 0, body: { error: text } });
        }
      });
    });
    req.on('error', fail);
    req.end();
  });
}
