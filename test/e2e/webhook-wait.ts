/**
 * Wait Mode "Resume on Clipia Webhook" in a real n8n server, one suite per n8n line: the
 * execution parks (n8n lists it as waiting) while the emulator renders, and the emulator's
 * signed webhooks resume it at n8n's own resume URL. Asserts on what a user sees: the
 * execution's status over time, its items, the requests Clipia received, and what n8n
 * answers a forged, stale or repeated delivery.
 */

import { createHmac } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_KEYS } from '../../emulator/server';
import { generateVideoNode, useN8nServer, webhookWorkflow, type Item, type N8nServer } from '../helpers/n8n-server';

/** Submits at once, telling Clipia to call this execution back (for a Wait Generation node after it). */
const submitVideo = {
	type: 'n8n-nodes-clipia.clipiaGenerateVideo',
	typeVersion: 1,
	parameters: {
		prompt: '={{ $json["body.prompts"] }}',
		waitForCompletion: false,
		options: { webhookUrl: '={{ $execution.resumeUrl }}' },
	},
};

const waitGeneration = {
	type: 'n8n-nodes-clipia.clipiaWaitGeneration',
	typeVersion: 1,
	parameters: { requestId: '={{ $json.request_id }}', waitMode: 'webhook', output: 'urls' },
};

const WORKFLOWS = [
	webhookWorkflow('clipiaWebhookWait1', 'clipia-webhook-batch', generateVideoNode('webhook', 'urls')),
	webhookWorkflow('clipiaWebhookWait2', 'clipia-poll-batch', generateVideoNode('poll', 'urls')),
	webhookWorkflow('clipiaWebhookWait3', 'clipia-webhook-binary', generateVideoNode('webhook', 'binary')),
	webhookWorkflow('clipiaWebhookWait4', 'clipia-webhook-short', generateVideoNode('webhook', 'urls', 4)),
	webhookWorkflow('clipiaWebhookWait5', 'clipia-webhook-then-wait', submitVideo, waitGeneration),
];

export function webhookWaitSuite(line: string): void {
	const server = useN8nServer(line, 10, WORKFLOWS);
	let n8n: N8nServer;
	beforeEach(() => (n8n = server()));

	const start = (path: string, workflowId: string, prompts: string[]) => n8n.start(path, workflowId, prompts);
	const statusesUntilDone = (id: string, timeoutMs?: number) => n8n.statusesUntilDone(id, timeoutMs);
	const itemsOf = (id: string) => n8n.itemsOf(id);
	const statusOf = async (id: string) => (await n8n.execution(id)).status;

	const prompts = (count: number, tag: string) =>
		Array.from({ length: count }, (_, n) => `${tag} ${n + 1}: waves at sunset`);

	function signed(body: string, secret: string, at = Math.floor(Date.now() / 1000)) {
		const v1 = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
		return { 'Content-Type': 'application/json', 'X-Clipia-Signature': `t=${at},v1=${v1}` };
	}

	it(`n8n's community-package install route (Settings → Community Nodes) takes a package name from its registry only: a tarball is refused (n8n ${line})`, async () => {
		// The suites install the package from its own tarball into n8n's nodes folder instead, as
		// that route does after its download; a custom registry would be n8n's licensed feature.
		const tarball = join(tmpdir(), 'n8n-nodes-clipia-0.1.0.tgz');
		for (const name of [`file:${tarball}`, tarball])
			await expect(n8n.rest('/community-packages', { name })).rejects.toThrow(
				/HTTP 400.*(single word|must start with n8n-nodes-)/,
			);
		// Nothing was installed by the attempts (the route lists only what it installed itself).
		const installed = await n8n.rest<Array<{ packageName: string }>>('/community-packages');
		expect(installed).toEqual([]);
	});

	it(`parks a 10-video batch until Clipia's webhooks say all ended, with the items Poll mode gives (n8n ${line})`, async () => {
		const stats = () => ({ ...n8n.emulator.stats(DEMO_KEYS.live).byRoute });
		const before = stats();
		const id = await start('clipia-webhook-batch', 'clipiaWebhookWait1', prompts(10, 'webhook'));
		const seen = await statusesUntilDone(id);
		expect(seen).toContain('waiting');
		expect(seen.at(-1)).toBe('success');
		const after = stats();
		const used = (route: string) => (after[route] ?? 0) - (before[route] ?? 0);
		const items = await itemsOf(id);
		expect(items).toHaveLength(10);
		for (const item of items) {
			expect(item.json).toMatchObject({ status: 'COMPLETED', output: { video: { url: expect.any(String) } } });
		}
		expect(used('submit')).toBe(10);
		const requests = Object.keys(after).reduce((sum, route) => sum + used(route), 0);
		// 10 submits, one model schema, and no result read: each signed delivery told its video whole.
		expect(requests / 10).toBeLessThanOrEqual(1.2);

		// The same batch in Poll mode gives the same items, field for field.
		const poll = await start('clipia-poll-batch', 'clipiaWebhookWait2', prompts(10, 'webhook'));
		expect((await statusesUntilDone(poll)).at(-1)).toBe('success');
		const polled = await itemsOf(poll);
		const shape = (item: Item) => {
			const { request_id: _id, output, ...rest } = item.json as { request_id: string; output: unknown };
			return { ...rest, output: JSON.stringify(output).replace(/[0-9a-f-]{36}/g, '<id>') };
		};
		expect(items.map(shape)).toEqual(polled.map(shape));
	}, 300_000);

	it(`resumes with the MP4s as binary files (n8n ${line})`, async () => {
		const id = await start('clipia-webhook-binary', 'clipiaWebhookWait3', prompts(2, 'binary'));
		expect((await statusesUntilDone(id)).at(-1)).toBe('success');
		const items = await itemsOf(id);
		expect(items).toHaveLength(2);
		for (const item of items) expect(item.binary?.data?.mimeType).toBe('video/mp4');
	}, 180_000);

	it(`Clipia Wait Generation parks for generations submitted with the resume URL, and resumes once they end (n8n ${line})`, async () => {
		const before = { ...n8n.emulator.stats(DEMO_KEYS.live).byRoute };
		const id = await start('clipia-webhook-then-wait', 'clipiaWebhookWait5', prompts(3, 'then wait'));
		const seen = await statusesUntilDone(id);
		expect(seen).toContain('waiting');
		expect(seen.at(-1)).toBe('success');
		const items = await itemsOf(id);
		expect(items.map((item) => item.json.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
		const after = n8n.emulator.stats(DEMO_KEYS.live).byRoute;
		// A submit, one first look by the Wait node, and one read when the webhooks came: no polling.
		expect((after.result ?? 0) - (before.result ?? 0)).toBeLessThanOrEqual(6);
	}, 180_000);

	it(`refuses forged, altered and stale deliveries with 401; a genuine one while others run resumes nothing (n8n ${line})`, async () => {
		const id = await start('clipia-webhook-batch', 'clipiaWebhookWait1', prompts(2, 'forged [emulator:seconds=200]'));
		expect(await n8n.reaches(id, 'waiting')).toBe('waiting');
		// What the parked node shows: each generation's request_id, and the URL Clipia was given.
		const parked = await itemsOf(id);
		const requestId = String(parked[0].json.request_id);
		const resumeUrl = n8n.emulator.jobInfo(requestId)!.webhookUrl!;
		expect(resumeUrl).toContain(`/webhook-waiting/${id}`);
		const secret = n8n.emulator.options.webhookSecret;
		const body = JSON.stringify({ request_id: requestId, status: 'OK', payload: {} });
		const now = Math.floor(Date.now() / 1000);
		const tries = [
			{ what: 'forged', headers: signed(body, 'not-the-secret'), body },
			{ what: 'altered', headers: signed(body, secret), body: body.replace('"OK"', '"ERROR"') },
			{ what: 'stale', headers: signed(body, secret, now - 330), body },
			{ what: 'from the future', headers: signed(body, secret, now + 330), body },
			{ what: 'unsigned', headers: { 'Content-Type': 'application/json' }, body },
		];
		const answers = [];
		for (const attempt of tries) {
			const response = await fetch(resumeUrl, { method: 'POST', headers: attempt.headers, body: attempt.body });
			answers.push({ what: attempt.what, status: response.status });
		}
		expect(answers).toEqual(tries.map((attempt) => ({ what: attempt.what, status: 401 })));
		// Genuinely signed, twice, while both still render: answered, and nothing resumes.
		for (let n = 0; n < 2; n++) {
			const response = await fetch(resumeUrl, { method: 'POST', headers: signed(body, secret), body });
			expect(response.status).toBe(200);
			expect(await response.json()).toMatchObject({ received: true, resumed: false });
		}
		expect(await statusOf(id)).toBe('waiting');
		expect((await statusesUntilDone(id, 120_000)).at(-1)).toBe('success');
		const items = await itemsOf(id);
		expect(items.map((item) => item.json.status)).toEqual(['COMPLETED', 'COMPLETED']);
		// A delivery repeated after the run ended changes nothing either.
		const late = await fetch(resumeUrl, { method: 'POST', headers: signed(body, secret), body });
		expect(late.status).toBeGreaterThanOrEqual(400);
		expect(await statusOf(id)).toBe('success');
	}, 240_000);

	it(`a parked execution is held by no process: it outlives an n8n restart, and Clipia's webhook resumes it after (n8n ${line})`, async () => {
		const id = await start('clipia-webhook-batch', 'clipiaWebhookWait1', prompts(2, 'restart [emulator:seconds=250]'));
		expect(await n8n.reaches(id, 'waiting')).toBe('waiting');
		await n8n.nodesLogged(id);
		await n8n.local!.restart();
		// Still parked once n8n's startup recovery is done (it may list it crashed for a moment).
		expect((await n8n.settles(id, 'waiting')).at(-1)).toBe('waiting');
		expect((await statusesUntilDone(id, 150_000)).at(-1)).toBe('success');
		expect((await itemsOf(id)).map((item) => item.json.status)).toEqual(['COMPLETED', 'COMPLETED']);
	}, 300_000);

	it(`goes on at Max Wait with every request_id when no webhook resumes it (n8n ${line})`, async () => {
		const id = await start('clipia-webhook-short', 'clipiaWebhookWait4', prompts(2, 'slow [emulator:seconds=600]'));
		const seen = await statusesUntilDone(id, 150_000);
		expect(seen).toContain('waiting');
		expect(seen.at(-1)).toBe('success');
		const items = await itemsOf(id);
		expect(items).toHaveLength(2);
		for (const item of items) {
			expect(item.json.request_id).toMatch(/^[0-9a-f-]{36}$/);
			expect(String(item.json.next_step)).toMatch(/did not come within Max Wait \(4 s\).*Clipia Wait Generation/);
		}
	}, 200_000);
}
