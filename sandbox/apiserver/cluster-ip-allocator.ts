/** Hands out Service ClusterIPs from 10.96.0.0/16 (the kubeadm default range), reusing freed ones. */
export class ClusterIpAllocator {
  private readonly used = new Set<string>();
  private next = 10;

  allocate(): string {
    for (let i = 0; i < 65_000; i++) {
      const n = this.next;
      this.next = this.next >= 65_000 ? 10 : this.next + 1;
      const ip = `10.96.${n >> 8}.${n & 255}`;
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
    throw new Error('service ClusterIP range 10.96.0.0/16 is exhausted');
  }

  reserve(ip: string): void {
    this.used.add(ip);
  }

  release(ip: string | undefined): void {
    if (ip && ip !== 'None') this.used.delete(ip);
  }
}
