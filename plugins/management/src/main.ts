#!/usr/bin/env node
// The management plugin's executable; mosnctl launches it (`node plugins/management/dist/src/main.js`).
import { serve } from '@mosn/plugin-sdk';
import { managementPlugin } from './plugin.js';

await serve(managementPlugin);
