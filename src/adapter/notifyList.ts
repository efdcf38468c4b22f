/** A notify list as Pacemaker spells it: whitespace-separated node names; an empty list is a single space. */
export function notifyList(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter((name) => name.length > 0);
}
