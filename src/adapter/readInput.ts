/**
 * Reads what `promigrate explain` is given: a transition graph, a CIB, a bzip2-compressed CIB (pe-input) or
 * a directory of pe-input-N.bz2 files (one cluster history, in numeric order).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { InputError } from './inputError.ts';

export type Input =
  | { readonly kind: 'document'; readonly source: string; readonly text: string; readonly sequence: number | null }
  | { readonly kind: 'history'; readonly source: string; readonly inputs: readonly Input[] };

/** pe-input-12.bz2 → 12; pe-warn-3.bz2 and pe-error-1.bz2 count too. */
export function sequenceOf(path: string): number | null {
  const match = /^pe-(?:input|warn|error)-(\d+)(?:\.bz2)?$/.exec(basename(path));
  return match === null ? null : Number(match[1]);
}

/** The bytes as UTF-8 text; bytes that are not UTF-8 are an error, never silently replaced. */
function utf8(path: string, data: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new InputError(path, 'not UTF-8 text');
  }
}

async function decompress(path: string, data: Buffer): Promise<string> {
  const result = await execa('bzip2', ['--decompress', '--stdout'], {
    input: data,
    reject: false,
    encoding: 'buffer',
    stripFinalNewline: false,
  });
  if (result.failed) {
    const reason =
      Buffer.from(result.stderr)
        .toString('utf8')
        .split('\n')
        .find((line) => /bzip2:/.test(line)) ?? 'not a complete bzip2 file';
    throw new InputError(path, `cannot decompress: ${reason.replace(/^bzip2:\s*/, '').replace(/[;:.\s]+$/, '')}`);
  }
  return utf8(path, result.stdout);
}

async function readDocument(path: string): Promise<Input> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    throw new InputError(path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const compressed = data.subarray(0, 3).toString('latin1') === 'BZh';
  const text = compressed ? await decompress(path, data) : utf8(path, data);
  return { kind: 'document', source: path, text, sequence: sequenceOf(path) };
}

export async function readInput(path: string): Promise<Input> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new InputError(path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!info.isDirectory()) return readDocument(path);
  const files = (await readdir(path))
    .filter((name) => sequenceOf(name) !== null)
    .sort((a, b) => (sequenceOf(a) as number) - (sequenceOf(b) as number));
  if (files.length === 0) throw new InputError(path, 'no pe-input-N.bz2 files in this directory');
  const inputs: Input[] = [];
  for (const name of files) inputs.push(await readDocument(join(path, name)));
  return { kind: 'history', source: path, inputs };
}
