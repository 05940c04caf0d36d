/**
 * One key shared by n8n's workers (test/scale/shared-key.ts) on n8n 2.8.4: Redis, Postgres, a
 * main process and two workers, the emulator on the real clock with Clipia's published limits.
 * The newest line runs the same scenario in queue-mode.test.ts.
 */

import { DEMO_KEYS } from '../../emulator/server';
import { QueueRig } from '../../scripts/queue-rig';
import { N8nServer } from '../helpers/n8n-server';
import { assertKnownParameters } from '../helpers/workflow-check';
import { IMAGE_SECONDS, SHARED_KEY_WORKFLOW, sharedKeyScenarios } from './shared-key';

const LINE = '2.8.4';

let rig: QueueRig;
let n8n: N8nServer;
const figures: string[] = [];

beforeAll(async () => {
	assertKnownParameters([SHARED_KEY_WORKFLOW]);
	rig = new QueueRig({
		line: LINE,
		workers: 2,
		workflows: [SHARED_KEY_WORKFLOW],
		emulator: { timeScale: 1, runSeconds: { image: IMAGE_SECONDS, video: 20 }, wallClockHeaders: true },
	});
	await rig.start();
	rig.emulator.addKey({ key: DEMO_KEYS.live, credits: 1_000_000 });
	n8n = await N8nServer.attach(rig.url, rig.emulator, () => rig.stop());
}, 30 * 60_000);

afterAll(async () => {
	await (n8n ?? rig)?.stop();
	console.log(`One key shared by workers (n8n ${LINE}, main + 2 workers, Redis, Postgres):\n${figures.join('\n')}`);
});

sharedKeyScenarios(() => ({ rig, n8n }), figures);
