/** The CLI's output streams caught in memory, for calling `main` in-process. */
import type { Io } from '../../cli/main';

export function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}
