import { randomBytes } from 'node:crypto';

export const ADMIN_USER = 'kubernetes-admin';

/** Bearer tokens: one admin token, caller-given static tokens, and one token per ServiceAccount. */
export class TokenAuthority {
  readonly adminToken = randomBytes(24).toString('hex');
  private readonly users = new Map<string, string>();
  private readonly serviceAccountTokens = new Map<string, string>();

  constructor(staticTokens: Record<string, string> = {}) {
    this.users.set(this.adminToken, ADMIN_USER);
    for (const [token, user] of Object.entries(staticTokens)) this.users.set(token, user);
  }

  userFor(token: string | undefined): string | undefined {
    return token === undefined ? undefined : this.users.get(token);
  }

  /** The token of `system:serviceaccount:<namespace>:<name>`, minted on first use. */
  tokenFor(namespace: string, serviceAccount: string): string {
    const user = serviceAccountUser(namespace, serviceAccount);
    let token = this.serviceAccountTokens.get(user);
    if (!token) {
      token = `sa.${randomBytes(24).toString('hex')}`;
      this.serviceAccountTokens.set(user, token);
      this.users.set(token, user);
    }
    return token;
  }

  /** Invalidates a deleted ServiceAccount's token, as Kubernetes does for bound tokens. */
  revoke(namespace: string, serviceAccount: string): void {
    const user = serviceAccountUser(namespace, serviceAccount);
    const token = this.serviceAccountTokens.get(user);
    if (!token) return;
    this.serviceAccountTokens.delete(user);
    this.users.delete(token);
  }
}

export const serviceAccountUser = (namespace: string, name: string): string => `system:serviceaccount:${namespace}:${name}`;
