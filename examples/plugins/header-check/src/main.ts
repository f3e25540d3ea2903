#!/usr/bin/env node
// Started by mosnctl (see README.md): `node examples/plugins/header-check/dist/src/main.js`.
import { serve } from '@mosn/plugin-sdk';
import { headerCheck } from './plugin.js';

await serve(headerCheck);
