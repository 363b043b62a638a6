/**
 * Test-only entry (bundled to build/fault-cli/cli.js by scripts/build.mjs, never
 * published): installs the writer's step hook from PYSERVICE_TEST_FAULTS
 * (faults.ts), then runs the CLI exactly as bin/create-pyservice.js does.
 */
import { installStepHook } from '../../src/io/write-step.js';
import { faultHook, FAULTS_ENV } from './faults.js';

installStepHook(faultHook(process.env[FAULTS_ENV]));
await import('../../src/cli/bin.js');
