/**
 * Bad input (malformed XML, truncated file, unknown root, a CIB the scheduler rejects): one line that names
 * the input and, for XML, the line and column. The CLI prints the message and exits 2.
 */
export class InputError extends Error {
  constructor(
    readonly source: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${detail}`, options);
    this.name = 'InputError';
  }
}
