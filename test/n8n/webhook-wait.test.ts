/**
 * Wait Mode "Resume on Clipia Webhook" inside n8n-core's engine: what is checked before any
 * credit is spent, what a parked node keeps and shows, and when it does not park at all.
 * (Resuming through n8n's waiting webhooks is proven in a real n8n: test/e2e/webhook-wait.ts.)
 */

import { DEMO_KEYS } from '../../emulator/server';
import { keyMaker, useEmulator } from '../helpers/emulator';
import { NODE_TYPES, runNode } from './harness';

const emulator = useEmulator({ timeScale: 20, runSeconds: { image: 8, video: 40 } });
const freshKey = keyMaker(emulator, 'webhook', { credits: 5_000 });
const SECRET = 'whsec_emulator_secret';

const video = (waitMode: string) => ({
	prompt: 'waves at sunset',
	waitForCompletion: true,
	waitMode,
	output: 'urls',
	options: { maxWaitSeconds: 900 },
});
const requests = (key: string) => emulator.log.filter((entry) => entry.key === key).length;

it('without a signing secret, refuses before anything is sent', async () => {
	const key = freshKey();
	const run = await runNode({
		type: NODE_TYPES.video,
		parameters: video('webhook'),
		credentials: { apiKey: key, baseUrl: emulator.url },
	});
	expect(run.error?.message).toMatch(/needs the Webhook Signing Secret in the Clipia credential/);
	expect(requests(key)).toBe(0);
});

it('refuses before anything is sent when Clipia could not reach this n8n', async () => {
	// A Clipia on the internet cannot call an n8n whose webhook address is http://localhost.
	const run = await runNode({
		type: NODE_TYPES.video,
		parameters: video('webhook'),
		credentials: { apiKey: 'clipia_live_not_used', baseUrl: 'https://api.clipia.ai', webhookSecret: SECRET },
	});
	expect(run.error?.message).toMatch(/Clipia could not reach this n8n.*http:\/\/localhost:5678.*public https/);
	expect(run.error?.description).toMatch(/WEBHOOK_URL/);
	expect(JSON.stringify(run.error)).not.toContain('signature=');
});

it('refuses an own Webhook URL beside this mode, before anything is sent', async () => {
	const key = freshKey();
	const run = await runNode({
		type: NODE_TYPES.video,
		parameters: { ...video('webhook'), options: { maxWaitSeconds: 900, webhookUrl: 'https://example.com/hook' } },
		credentials: { apiKey: key, baseUrl: emulator.url, webhookSecret: SECRET },
	});
	expect(run.error?.message).toMatch(/Webhook URL can't be used with Wait Mode "Resume on Clipia Webhook"/);
	expect(requests(key)).toBe(0);
});

it('parks the execution with its resume URL given to Clipia; the parked items carry each request_id', async () => {
	const key = freshKey();
	const run = await runNode({
		type: NODE_TYPES.video,
		parameters: video('webhook'),
		input: [{ json: { n: 1 } }, { json: { n: 2 } }],
		credentials: { apiKey: key, baseUrl: emulator.url, webhookSecret: SECRET },
	});
	expect(run.error).toBeUndefined();
	expect(run.status).toBe('waiting');
	expect(new Date(run.run.waitTill!).getTime()).toBeGreaterThan(Date.now() + 890_000);
	expect(run.items).toHaveLength(2);
	for (const [index, item] of run.items.entries()) {
		expect(item.pairedItem).toEqual({ item: index });
		expect(item.json).toMatchObject({ status: 'IN_QUEUE', request_id: expect.any(String) });
		expect(String(item.json.next_step)).toMatch(/webhook did not come within Max Wait \(900 s\)/);
		const job = emulator.jobInfo(String(item.json.request_id))!;
		expect(job.webhookUrl).toMatch(/^http:\/\/localhost:5678\/webhook-waiting\/exec-/);
	}
	// What n8n keeps of the parked node (its input, handed on at Max Wait) is those items.
	const kept = run.run.data.executionData!.nodeExecutionStack[0].data.main[0]!;
	expect(kept.map((item) => item.json.request_id)).toEqual(run.items.map((item) => item.json.request_id));
	// Submitted only: no polling while parked.
	expect(emulator.log.filter((entry) => entry.key === key).map((entry) => entry.route)).toEqual([
		'model',
		'submit',
		'submit',
	]);
});

it('does not park when nothing is left running (a sandbox key answers at once)', async () => {
	const run = await runNode({
		type: NODE_TYPES.image,
		parameters: { prompt: 'a red fox', waitForCompletion: true, waitMode: 'webhook', output: 'urls' },
		credentials: { apiKey: DEMO_KEYS.test, baseUrl: emulator.url, webhookSecret: SECRET },
	});
	expect(run.status).toBe('success');
	expect(run.items[0].json).toMatchObject({ status: 'COMPLETED', output: { images: [expect.anything()] } });
});

it('Poll mode, the default, does not give Clipia a webhook', async () => {
	const key = freshKey();
	const run = await runNode({
		type: NODE_TYPES.video,
		parameters: { ...video('poll'), prompt: 'short [emulator:seconds=5]' },
		credentials: { apiKey: key, baseUrl: emulator.url, webhookSecret: SECRET },
	});
	expect(run.status).toBe('success');
	expect(emulator.jobInfo(String(run.items[0].json.request_id))!.webhookUrl).toBeUndefined();
});
