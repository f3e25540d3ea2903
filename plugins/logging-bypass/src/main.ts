#!/usr/bin/env node
// The logging-bypass plugin's executable; mosnctl launches it (`node plugins/logging-bypass/dist/src/main.js`).
import { serve } from '@mosn/plugin-sdk';
import { loggingBypassPlugin } from './plugin.js';

await serve(loggingBypassPlugin);
