/** The instance owner's ids from /etc/passwd: PostgreSQL tools run as that user, never as root. */
export interface SystemUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export function findSystemUser(passwd: string, name: string): SystemUser | null {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields[0] !== name || fields.length < 7) continue;
    const uid = Number(fields[2]);
    const gid = Number(fields[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) return null;
    return { name, uid, gid, home: fields[5] as string };
  }
  return null;
}
