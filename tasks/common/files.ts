import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Writes through a temporary file in the same folder and renames it, so a reader never sees half a
 * file. The temporary name is unpredictable and created exclusively (no one can plant a link at
 * it), and the file is readable by the agent's account only (0600).
 */
export function writeFileAtomic(filePath: string, content: string): void {
  const dir = path.dirname(filePath);
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(filePath)}.${crypto.randomBytes(12).toString('hex')}.tmp`);
  try {
    fs.writeFileSync(temp, content, { encoding: 'utf8', mode: 0o600, flag: 'wx' });
    fs.renameSync(temp, filePath);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** Writes a new file readable by the agent's account only; fails rather than follow an existing name. */
export function writeNewPrivateFile(filePath: string, content: string): void {
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  fs.writeFileSync(filePath, content, { encoding: 'utf8', mode: 0o600, flag: 'wx' });
}
