#!/usr/bin/env node
// The auth plugin's executable; mosnctl launches it (`node plugins/auth/dist/src/main.js`).
import { serve } from '@mosn/plugin-sdk';
import { authPlugin } from './plugin.js';

await serve(authPlugin);
