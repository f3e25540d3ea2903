// Typed errors of @mosn/config. Callers match on `code`; `message` is for humans and lists every
// problem found, one per line, as `file:line:col path: what was expected, what was found`.

/** Every error code this package throws. Frozen: the list is part of the public contract. */
export const CONFIG_ERROR_CODES = Object.freeze({
  /** The file parsed but does not describe a valid config (see `issues`). */
  INVALID: 'MOSN_ERR_CONFIG_INVALID',
  /** The file does not exist. */
  NOT_FOUND: 'MOSN_ERR_CONFIG_NOT_FOUND',
  /** The file exists but could not be read (permissions, a directory, …). */
  READ: 'MOSN_ERR_CONFIG_READ',
  /** The file is not well-formed JSON or YAML (see `issues`). */
  SYNTAX: 'MOSN_ERR_CONFIG_SYNTAX',
  /** `parseDuration` was given something that is not a Go duration string. */
  INVALID_DURATION: 'MOSN_ERR_CONFIG_INVALID_DURATION',
} as const);

export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[keyof typeof CONFIG_ERROR_CODES];

/** One problem, located in the file. `line` and `col` are 1-based. */
export interface ConfigIssue {
  file: string;
  line: number;
  col: number;
  /** Where in the config, in MOSN notation: `servers[0].listeners[1].address`. */
  path: string;
  /** What was expected and what was found. */
  message: string;
}

export interface ConfigErrorOptions {
  issues?: readonly ConfigIssue[];
  file?: string;
  cause?: unknown;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  /** The file concerned, as given by the caller; undefined when no file is involved. */
  readonly file: string | undefined;
  /** Every problem found, in file order. Empty for errors that are not about the content. */
  readonly issues: readonly ConfigIssue[];

  constructor(code: ConfigErrorCode, message: string, options: ConfigErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
    this.issues = Object.freeze([...(options.issues ?? [])]);
  }

  /** Builds the error for a list of issues, with a summary line followed by one line per issue. */
  static fromIssues(code: ConfigErrorCode, file: string, issues: readonly ConfigIssue[]): ConfigError {
    const what = code === CONFIG_ERROR_CODES.SYNTAX ? 'cannot be parsed' : 'is invalid';
    const count = issues.length === 1 ? '1 error' : `${issues.length} errors`;
    const lines = issues.map((issue) => `  ${formatIssue(issue)}`);
    return new ConfigError(code, [`config ${file} ${what} (${count}):`, ...lines].join('\n'), {
      issues,
      file,
    });
  }
}

/** `file:line:col path: message` — the form editors and terminals turn into a link. */
export function formatIssue(issue: ConfigIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.col}`;
  return issue.path === '' ? `${where} ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}
