// What a child process said last, for the message of a test that gave up on it.
import { readFileSync } from 'node:fs';

/** The last lines of a log file ('' when unreadable). */
export function tailOf(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
