#!/usr/bin/env node
// Committed shim so the bin exists before the first build; the CLI itself is compiled TypeScript.
import { run } from '../dist/src/cli/main.js';

process.exit(await run(process.argv));
