// Types of check-links.mjs.

/** One broken link: the page it is on and the href. */
export interface BrokenLink {
  readonly page: string;
  readonly href: string;
  readonly reason: string;
}

/** Checks every page of the built site in `dist`; returns the broken links (empty when all resolve). */
export function checkLinks(dist: string): { pages: number; links: number; broken: BrokenLink[] };
