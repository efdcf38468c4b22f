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

/**
 * pg_ctl runs the server through /bin/sh with paths in double quotes, where `"`, `$`, `` ` `` and `\` are
 * still special: such a path would be code to pg_ctl, so it is refused. Spaces, `;` and `'` are fine.
 */
export function pgCtlPath(value: string): string | null {
  const problem = absolutePath(value);
  if (problem !== null) return problem;
  return /["$`\\]/.test(value) ? 'may not contain " $ ` or \\ (pg_ctl passes paths through a shell)' : null;
}
