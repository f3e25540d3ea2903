#!/usr/bin/env node
// The rate limit plugin's executable; mosnctl launches it (`node plugins/rate-limit/dist/src/main.js`).
import { serve } from '@mosn/plugin-sdk';
import { rateLimitPlugin } from './plugin.js';

await serve(rateLimitPlugin);
