import * as fs from 'fs';
import * as path from 'path';
import { UserError } from './errors';
import { OwnerSpec } from './connections';
import { TaskHost } from './task-host';
import { BOOLEAN_WORDS, UserRef, normaliseGuid, parseBoolean, parseUserRef, splitLines, splitList } from './task-inputs';

/**
 * The typed reader every task's `modules/inputs.ts` uses. A bad value is one UserError naming the
 * input and how to fix it, raised before anything is sent to the service.
 */
export class InputReader {
  constructor(private readonly host: TaskHost) {}

  text(name: string): string | undefined {
    return this.host.input(name);
  }

  /** The value, or a UserError naming the input and the hint message (a message key). */
  required(name: string, hintKey: string): string {
    const value = this.host.input(name);
    if (value === undefined) throw new UserError(this.host.loc('InputRequired', name, this.host.loc(hintKey)));
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.host.input(name);
    const value = parseBoolean(raw, fallback);
    if (value === undefined) throw this.invalid(name, this.host.loc('BooleanInvalid', raw, BOOLEAN_WORDS.join(', ')));
    return value;
  }

  /**
   * One of the options (any case). The accepted options are the ones task.json declares for the
   * input, when the host knows them; the code's options give the type and must cover them.
   */
  pick<T extends string>(name: string, options: readonly T[], fallback: T): T {
    const raw = this.host.input(name);
    if (raw === undefined) return fallback;
    const declared = this.host.inputOptions?.(name);
    const accepted = declared ? options.filter((option) => declared.includes(option)) : options;
    const match = accepted.find((option) => option.toLowerCase() === raw.toLowerCase());
    if (match === undefined) throw this.invalid(name, this.host.loc('OptionInvalid', raw, accepted.join(', ')));
    return match;
  }

  /** Entries separated by commas or new lines. */
  list(name: string): string[] {
    return splitList(this.host.input(name));
  }

  /** Entries separated by commas or new lines, each once as first given (compared case-insensitively). */
  distinctList(name: string): string[] {
    const entries = this.list(name);
    return entries.filter((entry, index) => entries.findIndex((other) => other.toLowerCase() === entry.toLowerCase()) === index);
  }

  /** Entries one a line. */
  lines(name: string): string[] {
    return splitLines(this.host.input(name));
  }

  /** A GUID (braces allowed), lower case. */
  guid(name: string, hintKey: string): string {
    const raw = this.required(name, hintKey);
    const value = normaliseGuid(raw);
    if (value === undefined) throw this.invalid(name, this.host.loc('GuidInvalid', raw));
    return value;
  }

  /** An Entra object id or a UPN; undefined when not given. */
  user(name: string): UserRef | undefined {
    const raw = this.host.input(name);
    if (raw === undefined) return undefined;
    const value = parseUserRef(raw);
    if (value === undefined) throw this.invalid(name, this.host.loc('UserInvalid', raw));
    return value;
  }

  /** A whole number within [min, max]; the fallback when not given. `hintKey` adds how to choose it. */
  integer(name: string, range: { min: number; max: number; fallback: number; hintKey?: string }): number {
    const raw = this.host.input(name);
    if (raw === undefined) return range.fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < range.min || value > range.max) {
      const hint = range.hintKey ? ` ${this.host.loc(range.hintKey)}` : '';
      throw this.invalid(name, `${this.host.loc('IntegerInvalid', raw, range.min, range.max)}${hint}`);
    }
    return value;
  }

  /**
   * A file the task writes: the absolute path, or `defaultFileName` in the agent's temporary folder
   * when not given or still holding an unresolved `$(...)` macro; an existing folder is an error.
   */
  outputFile(name: string, defaultFileName: string): string {
    const given = this.host.filePathInput(name);
    if (!given || /\$\([^)]+\)/.test(given)) return path.join(this.host.tempDirectory(), defaultFileName);
    const resolved = path.resolve(given);
    if (fs.existsSync(resolved) && fs.statSync(resolved).isDirectory()) {
      throw this.invalid(name, this.host.loc('OutputFileIsFolder', given, path.join(given, defaultFileName)));
    }
    return resolved;
  }

  private invalid(name: string, reason: string): UserError {
    return new UserError(this.host.loc('InputInvalid', name, reason));
  }
}

/** The `ConnectionOwner` shape the connection rules take. */
export function toOwnerSpec(user: UserRef | undefined): OwnerSpec | undefined {
  if (!user) return undefined;
  return user.kind === 'objectId' ? { raw: user.raw, objectId: user.objectId } : { raw: user.raw, upn: user.upn };
}
