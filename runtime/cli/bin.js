#!/usr/bin/env node
// The `sluice` command. Job modules and the runtime are TypeScript; tsx compiles them on load,
// so a job author needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
