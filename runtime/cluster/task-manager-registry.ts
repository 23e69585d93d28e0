import type { RpcConnection } from '../rpc/rpc-connection.ts';
import type { JobManagerMessage } from '../rpc/rpc-messages.ts';

export interface RegisteredTaskManager {
  readonly id: string;
  readonly dataAddress: string;
  readonly slots: number;
  readonly connection: RpcConnection;
  lastHeard: number;
  readyAttempt: number;
  sendBufferedBytes: number;
}

/**
 * The TaskManagers registered with the JobManager, by id: their data address and slots, the
 * connection that reaches them, when each was last heard from and which attempt it is ready for.
 * It only keeps the list and sends; what a registration or a loss means for the job is the
 * JobMaster's to decide.
 */
export class TaskManagerRegistry {
  private readonly byId = new Map<string, RegisteredTaskManager>();

  get size(): number {
    return this.byId.size;
  }

  values(): IterableIterator<RegisteredTaskManager> {
    return this.byId.values();
  }

  get(id: string): RegisteredTaskManager | undefined {
    return this.byId.get(id);
  }

  /** The TaskManager registered over `connection`, if one is. */
  on(connection: RpcConnection): RegisteredTaskManager | undefined {
    for (const tm of this.byId.values()) if (tm.connection === connection) return tm;
    return undefined;
  }

  /** Adds or replaces the registration of `tm.id`. */
  add(tm: RegisteredTaskManager): void {
    this.byId.set(tm.id, tm);
  }

  /** Removes `tm` if it is still the registration of its id; false if it was replaced or removed already. */
  remove(tm: RegisteredTaskManager): boolean {
    if (this.byId.get(tm.id) !== tm) return false;
    this.byId.delete(tm.id);
    return true;
  }

  get slotsTotal(): number {
    let n = 0;
    for (const tm of this.byId.values()) n += tm.slots;
    return n;
  }

  /** Every TaskManager fenced its data plane to `attempt`. */
  allReadyFor(attempt: number): boolean {
    for (const tm of this.byId.values()) if (tm.readyAttempt !== attempt) return false;
    return true;
  }

  send(taskManagerId: string, message: JobManagerMessage): void {
    this.byId.get(taskManagerId)?.connection.send(message);
  }

  broadcast(message: JobManagerMessage): void {
    for (const tm of this.byId.values()) tm.connection.send(message);
  }

  /**
   * Sends `heartbeat` to every TaskManager heard from within `timeoutMs`; closes the connections of
   * the others and returns them (still registered: the caller removes them as lost).
   */
  heartbeat(heartbeat: JobManagerMessage, timeoutMs: number, now = Date.now()): RegisteredTaskManager[] {
    const silent: RegisteredTaskManager[] = [];
    for (const tm of [...this.byId.values()]) {
      if (now - tm.lastHeard > timeoutMs) {
        tm.connection.close();
        silent.push(tm);
      } else tm.connection.send(heartbeat);
    }
    return silent;
  }

  closeAll(): void {
    for (const tm of this.byId.values()) tm.connection.close();
  }
}
