import { readFile } from 'node:fs/promises';

/**
 * Reads a file named in the config, once, at start (`mosnctl plugin restart auth` re-reads).
 * The error names the file and the errno, so the config error says which path is wrong.
 */
export async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'an error';
    throw new Error(`cannot read ${what} ${JSON.stringify(path)}: ${code}`, { cause: error });
  }
}
