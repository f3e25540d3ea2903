// request/response_headers_to_add/remove of a route, its virtual host and its router config,
// merged once per route into what the proxy applies per request: names of received fields not to
// forward, and complete field lines to add (one string, appended to the head as it is built).
// Rules: every level's removals apply to the fields received; every addition is emitted; an
// addition with `append: false` replaces received fields of that name, and the most specific
// level's replacement wins over the less specific ones (route, then virtual host, then router).

import type { HeaderOptionsConfig, HeaderValueOptionConfig } from '@mosn/config';

export interface HeaderMutation {
  /** Lower-case names of request fields not forwarded upstream. */
  readonly requestDrop: readonly string[];
  /** "name: value\r\n" lines added to the upstream request. */
  readonly requestLines: string;
  /** Lower-case names of response fields not forwarded downstream. */
  readonly responseDrop: readonly string[];
  /** Lines added to the response (upstream responses and the proxy's own). */
  readonly responseLines: string;
}

/** Merges `levels` (most specific first); undefined when none of them changes anything. */
export function compileHeaderMutation(levels: readonly (HeaderOptionsConfig | undefined)[]): HeaderMutation | undefined {
  const request = side(levels.map((l) => [l?.request_headers_to_add, l?.request_headers_to_remove]));
  const response = side(levels.map((l) => [l?.response_headers_to_add, l?.response_headers_to_remove]));
  if (request.drop.length === 0 && request.lines === '' && response.drop.length === 0 && response.lines === '') return undefined;
  return Object.freeze({
    requestDrop: Object.freeze(request.drop),
    requestLines: request.lines,
    responseDrop: Object.freeze(response.drop),
    responseLines: response.lines,
  });
}

type Level = [HeaderValueOptionConfig[] | undefined, string[] | undefined];

function side(levels: readonly Level[]): { drop: string[]; lines: string } {
  const drop = new Set<string>();
  const replaced = new Set<string>();
  let lines = '';
  for (const [add, remove] of levels) {
    for (const name of remove ?? []) drop.add(name.toLowerCase());
    // Replacements of this level: a more specific level's replacement of the same name wins.
    const replacedHere = new Set<string>();
    for (const option of add ?? []) {
      const lname = option.key.toLowerCase();
      if (replaced.has(lname)) continue;
      if (!option.append) {
        drop.add(lname);
        replacedHere.add(lname);
      }
      lines += option.key + ': ' + option.value + '\r\n';
    }
    for (const lname of replacedHere) replaced.add(lname);
  }
  return { drop: [...drop], lines };
}
