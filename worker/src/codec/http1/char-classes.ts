// Byte classes of RFC 9110 / 9112, as lookup tables indexed by char code (0..255).

function table(pred: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = pred(c) ? 1 : 0;
  return t;
}

const TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

/** tchar: the characters of a token (method, header name, transfer coding). */
export const TOKEN: Uint8Array = table(
  (c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || TCHAR_SYMBOLS.includes(String.fromCharCode(c)),
);

/** field-vchar, SP and HTAB: what may appear inside a header value (obs-text included, as RFC 9110 allows). */
export const FIELD_VALUE: Uint8Array = table((c) => c === 0x09 || (c >= 0x20 && c !== 0x7f));

/** request-target: visible ASCII, no space, no obs-text. */
export const TARGET: Uint8Array = table((c) => c > 0x20 && c < 0x7f);

/** Characters of a Host value: reg-name, IP literals and a port (RFC 3986), lenient on nothing else. */
export const HOST: Uint8Array = table(
  (c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || "-._~!$&'()*+,;=:%[]".includes(String.fromCharCode(c)),
);

/** Hex digit value, or 255. */
export const HEX: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(255);
  for (let c = 0x30; c <= 0x39; c++) t[c] = c - 0x30;
  for (let c = 0x41; c <= 0x46; c++) t[c] = c - 0x41 + 10;
  for (let c = 0x61; c <= 0x66; c++) t[c] = c - 0x61 + 10;
  return t;
})();
