/** One resource request as the authorizer sees it (RBAC vocabulary), kept for comparison with RBAC rules. */
export interface AuditRecord {
  user: string;
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}
