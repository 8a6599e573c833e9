#!/usr/bin/env node
// The `txline` command: registers the TypeScript loader, then runs the CLI in lib/cli.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/main.ts');
await main(process.argv.slice(2));
