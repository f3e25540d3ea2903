// Command-line options of the bench scripts, checked before anything starts.

/** `opt[name]` as a number above 0 (a whole one if `whole`), or exit 2 saying what was found. */
export function positiveOption(opt, name, whole) {
  const value = Number(opt[name]);
  if (!(value > 0) || (whole && !Number.isInteger(value))) {
    console.error(`--${name}: expected a ${whole ? 'whole ' : ''}number above 0, found ${JSON.stringify(opt[name])}`);
    process.exit(2);
  }
  return value;
}
