import { UserError } from './errors';

/** Pages one listing may take before it is treated as runaway (5000 rows a page: five million rows). */
export const MAX_PAGES = 1000;

/** The task's message lookup (`host.loc`). */
export type MessageLookup = (key: string, ...args: unknown[]) => string;

/** Without a task host (unit tests, tools) messages read as their key and arguments. */
export const keyAndArguments: MessageLookup = (key, ...args) => [key, ...args.map(String)].join(' ');

/**
 * The pages of one listing. A next-page link is followed only on the https origin of the request
 * that returned it (tokens stay on their origin, CONTRACT §2.2), never twice, and at most
 * `maxPages` pages are read. Each of these ends the task: a listing cut short gives wrong answers.
 */
export class PageWalk {
  private readonly seen = new Set<string>();
  private pages = 0;

  constructor(
    private readonly firstUrl: string,
    private readonly loc: MessageLookup = keyAndArguments,
    private readonly maxPages = MAX_PAGES,
  ) {
    this.seen.add(firstUrl);
  }

  /** Call before requesting each page. */
  countPage(): void {
    this.pages++;
    if (this.pages > this.maxPages) throw new UserError(this.loc('PagingTooManyPages', describeUrl(this.firstUrl), this.maxPages));
  }

  /** The absolute URL of the next page, or undefined at the end; fails for another origin or a repeat. */
  next(requestUrl: string, link: unknown): string | undefined {
    if (link === undefined || link === null || link === '') return undefined;
    const from = new URL(requestUrl);
    let target: URL | undefined;
    try {
      target = new URL(String(link), from);
    } catch {
      target = undefined;
    }
    if (!target || target.protocol !== 'https:' || target.origin !== from.origin) {
      throw new UserError(this.loc('LinkToOtherOrigin', describeUrl(requestUrl), target ? target.origin : '(not a URL)', from.origin));
    }
    this.repeatCheck(target.href);
    return target.href;
  }

  /** Fails when a page marker (a link or a paging cookie) comes back a second time. */
  repeatCheck(marker: string): void {
    if (this.seen.has(marker)) throw new UserError(this.loc('PagingLoop', describeUrl(this.firstUrl)));
    this.seen.add(marker);
  }
}

/** Origin and path only: queries carry filters and skip tokens nobody needs in a message. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url;
  }
}
