// Building blocks shared by the schemas: objects that reject unknown keys with a useful message,
// durations, addresses, enumerations that know MOSN's other values, and the error map that turns
// zod's issues into "expected …, found …".

import { z } from 'zod';
import { addressExpectation, parseAddress, type AddressRules, type ParsedAddress } from '../address.js';
import { DURATION_EXPECTED, MAX_TIMER_MS, formatDuration, tryParseDuration } from '../duration.js';
import { closest, keyMessage, type ObjectKind } from '../mosn-keys.js';

/** A value as it appears in a message: strings quoted, containers by their kind. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  }
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Marks an issue as being about a key (located at the key, not at its value). */
export const AT_KEY = { at: 'key' } as const;

/**
 * An object of `kind` with exactly the keys of `shape`. Any other key is an issue located at that
 * key: "not supported yet" for MOSN's keys, "unknown key" (with a did-you-mean) for the rest. The
 * check runs even when a value inside the object is wrong, so that every problem is reported.
 */
export function mosnObject<S extends z.core.$ZodLooseShape>(kind: ObjectKind, shape: S) {
  const supported = Object.keys(shape);
  return z.looseObject(shape).superRefine(
    (value, ctx) => {
      for (const key of Object.keys(value)) {
        if (Object.hasOwn(shape, key)) continue;
        ctx.addIssue({ code: 'custom', path: [key], message: keyMessage(kind, key, supported), params: AT_KEY });
      }
    },
    { when: (payload) => isRecord(payload.value) },
  );
}

export const nonEmptyString = z.string().min(1);

/** A Go duration string (or the number 0), as milliseconds a Node timer can take. */
export function duration() {
  return z.unknown().transform((value, ctx) => {
    const ms = typeof value === 'string' ? tryParseDuration(value) : value === 0 ? 0 : undefined;
    if (ms !== undefined && ms <= MAX_TIMER_MS) return ms;
    let message = `expected ${DURATION_EXPECTED}, found ${describe(value)}`;
    if (value === undefined) message = `is required (expected ${DURATION_EXPECTED})`;
    else if (typeof value === 'number') message += ' (a number; durations need a unit)';
    else if (ms !== undefined) message = `expected a duration of at most ${formatDuration(MAX_TIMER_MS)}, found ${describe(value)}`;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });
}

export interface AddressValue extends ParsedAddress {
  /** As written. */
  address: string;
}

export function address(rules: AddressRules) {
  return z.unknown().transform((value, ctx): AddressValue => {
    const parsed = typeof value === 'string' ? parseAddress(value, rules) : undefined;
    if (parsed !== undefined && typeof value === 'string') return { address: value, ...parsed };
    const expected = addressExpectation(rules);
    ctx.addIssue({
      code: 'custom',
      message: value === undefined ? `is required (expected ${expected})` : `expected ${expected}, found ${describe(value)}`,
    });
    return z.NEVER;
  });
}

/**
 * One of `supported`. A value MOSN knows but MOSN.ts does not support yet says so; anything else
 * lists the allowed values (MOSN itself would, for some of these, silently fall back to a default).
 */
export function oneOf<const T extends readonly [string, ...string[]]>(
  what: string,
  supported: T,
  mosnOnly: readonly string[] = [],
) {
  const allowed = supported.map((v) => JSON.stringify(v)).join(', ');
  return z.enum(supported, {
    error: (issue) => {
      const found = issue.input;
      if (found === undefined) return `is required (expected one of ${allowed})`;
      if (typeof found === 'string' && mosnOnly.includes(found)) {
        return `${JSON.stringify(found)} is a MOSN ${what} that MOSN.ts does not support yet (supported: ${allowed})`;
      }
      const guess = typeof found === 'string' ? closest(found, supported) : undefined;
      const hint = guess === undefined ? '' : `; did you mean ${JSON.stringify(guess)}?`;
      return `expected one of ${allowed}, found ${describe(found)}${hint}`;
    },
  });
}

/** An array that must hold exactly one entry; more is a feature MOSN has and MOSN.ts does not yet. */
export function exactlyOne<T extends z.ZodType>(item: T, noun: string) {
  return z.array(item).superRefine(
    (list, ctx) => {
      if (list.length === 0) ctx.addIssue({ code: 'custom', message: `expected exactly one ${noun}, found none` });
      if (list.length > 1) {
        ctx.addIssue({ code: 'custom', path: [1], message: `more than one ${noun} is not supported yet` });
      }
    },
    { when: (payload) => Array.isArray(payload.value) },
  );
}

/** A regular expression source, checked to compile as the router will compile it. */
export const regexSource = nonEmptyString.superRefine((source, ctx) => {
  const error = regexError(source);
  if (error !== undefined) ctx.addIssue({ code: 'custom', message: `expected a valid regular expression, found ${describe(source)} (${error})` });
});

function regexError(source: string): string | undefined {
  try {
    // Same construction as the router's: anchored, so the pattern must match the whole value.
    new RegExp(`^(?:${source})$`);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err);
  }
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
};

/** Turns zod's own issues into "expected …, found …" (schema-specific messages win over this). */
export const errorMap: z.core.$ZodErrorMap = (issue) => {
  const found = issue.input;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      if (found === undefined) return `is required (expected ${expected})`;
      if (issue.expected === 'int' && typeof found === 'number') return `expected an integer, found ${found}`;
      return `expected ${expected}, found ${describe(found)}`;
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
      if (issue.origin === 'array') {
        const limit = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
        return `expected ${bound} ${limit === 1 ? 'entry' : 'entries'}, found ${Array.isArray(found) ? found.length : describe(found)}`;
      }
      if (issue.origin === 'string' && issue.code === 'too_small' && Number(issue.minimum) === 1) {
        return `expected a non-empty string, found ${describe(found)}`;
      }
      if (issue.origin === 'string') return `expected a string of ${bound} characters, found ${describe(found)}`;
      return `expected a number ${bound}, found ${describe(found)}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${describe(found)}`;
    default:
      return undefined;
  }
};
