/**
 * One key shared by n8n's workers (test/scale/shared-key.ts) on n8n 2.8.4: Redis, Postgres, a
 * main process and two workers, the emulator on the real clock with Clipia's published limits.
 * The newest line runs the same scenario in queue-mode.test.ts.
 */

import { useQueueRig } from '../helpers/n8n-server';
import { IMAGE_SECONDS, SHARED_KEY_WORKFLOW, sharedKeyScenarios } from './shared-key';

const LINE = '2.8.4';

const queue = useQueueRig(
	{
		line: LINE,
		workers: 2,
		workflows: [SHARED_KEY_WORKFLOW],
		emulator: { timeScale: 1, runSeconds: { image: IMAGE_SECONDS, video: 20 }, wallClockHeaders: true },
	},
	`One key shared by workers (n8n ${LINE}, main + 2 workers, Redis, Postgres)`,
);

sharedKeyScenarios(queue);
