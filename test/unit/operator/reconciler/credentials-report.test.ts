import { describe, it, expect } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { credentialsReport } from '../../../../operator/reconciler/credentials-report.ts';

const waiting = (reason: string, message: string): V1Pod => ({
  metadata: { name: 'p' },
  status: { containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message } } }] },
});

describe('the credentials Secret as the pods report it', () => {
  it('is missing when a container waits because the kubelet found no such Secret', () => {
    expect(credentialsReport('creds', [waiting('CreateContainerConfigError', 'secret "creds" not found')])).toEqual({ name: 'creds', missing: true });
  });

  it('lacks the keys the kubelet could not find in it', () => {
    const pods = [
      waiting('CreateContainerConfigError', "couldn't find key AWS_SECRET_ACCESS_KEY in Secret jobs/creds"),
      waiting('CreateContainerConfigError', "couldn't find key AWS_ACCESS_KEY_ID in Secret jobs/creds"),
    ];
    expect(credentialsReport('creds', pods)).toEqual({ name: 'creds', absentKeys: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] });
  });

  it('ignores other Secrets, other reasons, and pods that report nothing', () => {
    const pods = [
      waiting('CreateContainerConfigError', 'secret "other" not found'),
      waiting('CreateContainerConfigError', "couldn't find key K in Secret jobs/other"),
      waiting('ContainerCreating', 'secret "creds" not found'),
      { metadata: { name: 'pending' } },
    ];
    expect(credentialsReport('creds', pods)).toEqual({ name: 'creds', absentKeys: [] });
  });

  it('is undefined when the spec names no Secret', () => {
    expect(credentialsReport(undefined, [waiting('CreateContainerConfigError', 'secret "creds" not found')])).toBeUndefined();
  });
});
