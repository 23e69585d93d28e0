import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Numbers 0..total-1, one per line, in `files` files of consecutive numbers. */
export function writeNumberFiles(directory: string, total: number, files: number): void {
  mkdirSync(directory, { recursive: true });
  const per = total / files;
  for (let f = 0; f < files; f++) {
    writeFileSync(join(directory, `numbers-${f}.txt`), Array.from({ length: per }, (_, i) => `${f * per + i}\n`).join(''));
  }
}
