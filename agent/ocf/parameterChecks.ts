/** Checks shared by the agents' parameter declarations: a reason when the value is unusable, null when fine. */
import { isAbsolute } from 'node:path';

/** Control characters (a newline included) have no place in a path, a user or a host. */
export function noControlCharacters(value: string): string | null {
  for (const character of value) {
    const code = character.codePointAt(0) as number;
    if (code < 0x20 || code === 0x7f) return 'control characters are not allowed';
  }
  return null;
}

export function absolutePath(value: string): string | null {
  return noControlCharacters(value) ?? (isAbsolute(value) ? null : 'expected an absolute path');
}

export function seconds(value: string): string | null {
  return Number(value) >= 0 ? null : 'expected 0 or more seconds';
}
