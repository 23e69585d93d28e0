import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a real binary (kubectl, helm, npm) to completion, in `cwd` if given; SIGKILLs it after `timeoutMs` so no test hangs. */
export function runCommand(command: string, args: string[], env: Record<string, string>, stdin?: string, timeoutMs = 60_000, cwd?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    // no stdin unless given: writing to a command that has already exited fails with EPIPE
    const child = spawn(command, args, { env, cwd, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (stdin !== undefined) {
      // a command that exits without reading all of it (an error) closes the pipe: its exit code says what happened
      child.stdin!.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') reject(err);
      });
      child.stdin!.end(stdin);
    }
  });
}
