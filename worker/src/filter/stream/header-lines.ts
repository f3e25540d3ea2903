// Header fields a plugin asks for, checked before they reach the wire: a plugin bug must not
// become header injection (CR/LF in a value) or a malformed head.

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The header lines for `headers`, skipping (and reporting) any that are not valid HTTP fields. */
export function headerLines(headers: Record<string, string> | undefined, onInvalid: (name: string) => void): string {
  if (headers === undefined) return '';
  let lines = '';
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name) || typeof value !== 'string' || !FIELD_VALUE.test(value)) {
      onInvalid(name);
      continue;
    }
    lines += name + ': ' + value.trim() + '\r\n';
  }
  return lines;
}
