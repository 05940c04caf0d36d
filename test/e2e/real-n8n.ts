/**
 * The nodes inside a real n8n, one suite per n8n line (installed once outside the
 * repository, see scripts/n8n-runtime.ts): the packed package installed as a community
 * node, a credential pointing at the emulator, the example workflows imported and run
 * headless with `n8n execute`. Asserts on what n8n produced: items, binary files on disk,
 * the errors a user reads, and nothing n8n says about the package (a load error, a
 * deprecation) along the way.
 */

import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES_DIR, importExamples, WRONG_KEY } from '../../scripts/local-n8n';
import { capture, ensureN8n, prepareUserFolder, type N8nOutput, type N8nRuntime } from '../../scripts/n8n-runtime';
import { ClipiaEmulator, DEMO_KEYS } from '../../emulator/server';
import { mp3Seconds } from '../helpers/mp3';

interface Item {
	json: Record<string, unknown>;
	binary?: Record<string, { mimeType: string; fileName: string; fileExtension?: string; id: string }>;
	pairedItem?: { item: number };
}

/** Lines where n8n complains about this package: a load error, a deprecation, a warning. */
export function packageComplaints(output: string): string[] {
	return output
		.split('\n')
		.filter(
			(line) =>
				/n8n-nodes-clipia|clipia(Api|Generate|Wait)/i.test(line) &&
				/(warn|deprecat|error|fail|could not|cannot|unrecognized)/i.test(line),
		);
}

export function realN8nSuite(line: string): void {
	let emulator: ClipiaEmulator;
	let folder: string;
	let runtime: N8nRuntime;
	/** Everything n8n printed in this suite, outside the workflow results. */
	const said: string[] = [];
	const n8n = async (args: string[], { heard = true } = {}): Promise<N8nOutput> => {
		const output = await capture(runtime, folder, args);
		const result = args.includes('--rawOutput') ? output.stdout.indexOf('{\n') : -1;
		if (heard) said.push(output.stderr, result < 0 ? output.stdout : output.stdout.slice(0, result));
		return output;
	};

	beforeAll(async () => {
		runtime = await ensureN8n(line);
		emulator = new ClipiaEmulator({ timeScale: 30, videoBytes: 3 * 1024 * 1024 + 17 });
		await emulator.start();
		folder = prepareUserFolder();
		const imported = await importExamples(runtime, folder, { apiKey: DEMO_KEYS.live, baseUrl: emulator.url });
		for (const output of imported.said) said.push(output.stderr, output.stdout);
		expect(imported.said[1].stderr + imported.said[1].stdout).toMatch(/Successfully imported/);
	}, 30 * 60_000);

	it(`runs n8n ${line}`, () => {
		expect(runtime.version).toBe(line);
	});

	afterAll(async () => {
		await emulator?.stop();
		if (folder) rmSync(folder, { recursive: true, force: true });
	});

	/** Runs an example; returns each node's output items. */
	async function execute(id: string): Promise<Record<string, Item[]>> {
		const run = await n8n(['execute', `--id=${id}`, '--rawOutput']);
		const start = run.stdout.indexOf('{\n');
		if (start < 0)
			throw new Error(
				`n8n execute printed no result (exit ${run.code}): ${run.stdout.slice(-800)} ${run.stderr.slice(-800)}`,
			);
		// --rawOutput prints the result indented, so its closing brace is the first at a line's start;
		// a log line n8n writes after it must not be parsed with it.
		const end = run.stdout.indexOf('\n}', start);
		const result = JSON.parse(run.stdout.slice(start, end < 0 ? undefined : end + 2)) as {
			data: {
				resultData: { error?: { message: string }; runData: Record<string, Array<{ data: { main: Item[][] } }>> };
			};
		};
		if (result.data.resultData.error) throw new Error(`workflow failed: ${result.data.resultData.error.message}`);
		const out: Record<string, Item[]> = {};
		for (const [node, runs] of Object.entries(result.data.resultData.runData))
			out[node] = runs[runs.length - 1].data.main[0];
		return out;
	}

	/** The file n8n stored for a binary (filesystem mode). */
	function storedFile(item: Item, property = 'data'): { bytes: number; head: Buffer; path: string } {
		const id = item.binary![property].id.replace(/^filesystem(-v2)?:/, '');
		const path = join(folder, '.n8n', 'storage', id);
		return { bytes: statSync(path).size, head: readFileSync(path).subarray(0, 16), path };
	}

	it('loads the five nodes and the credential into n8n, and n8n says nothing against the package', async () => {
		// n8n loads community packages (and warns about them) when it starts a command.
		await n8n(['list:workflow']);
		expect(packageComplaints(said.join('\n'))).toEqual([]);
		const installed = join(folder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-clipia');
		const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
		expect(manifest.n8n.nodes).toHaveLength(5);
		expect(readdirSync(join(installed, 'dist', 'nodes', 'ClipiaGenerateImage'))).toEqual(
			expect.arrayContaining(['ClipiaGenerateImage.node.js', 'ClipiaGenerateImage.node.json']),
		);
		expect(readdirSync(join(installed, 'dist', 'icons')).sort()).toEqual(['clipia.dark.svg', 'clipia.svg']);
	});

	it('example 1: text to image gives a PNG binary file on disk', async () => {
		const out = await execute('clipiaExample001');
		const [item] = out['Generate Image'];
		expect(item.json).toMatchObject({ status: 'COMPLETED', model: 'nano-banana-2', cost_credits: 6 });
		expect(item.binary!.data).toMatchObject({ mimeType: 'image/png', fileExtension: 'png' });
		expect(item.binary!.data.fileName).toBe(`clipia-${item.json.request_id}.png`);
		const file = storedFile(item);
		expect(file.head.subarray(1, 4).toString()).toBe('PNG');
		expect(item.json.files).toEqual([{ binary_property: 'data', mime_type: 'image/png', bytes: file.bytes }]);
		expect(item.pairedItem).toEqual({ item: 0 });
	}, 120_000);

	it('example 2: text to video, then Clipia Wait Generation streams the MP4 to disk', async () => {
		const out = await execute('clipiaExample002');
		const [submitted] = out['Generate Video'];
		expect(submitted.json).toMatchObject({ status: 'IN_QUEUE', cost_credits: 40 });
		expect(String(submitted.json.next_step)).toMatch(/Clipia Wait Generation/);
		const [done] = out['Wait Generation'];
		expect(done.json).toMatchObject({ status: 'COMPLETED', request_id: submitted.json.request_id });
		expect(done.binary!.data.mimeType).toBe('video/mp4');
		const file = storedFile(done);
		expect(file.bytes).toBe(3 * 1024 * 1024 + 17);
		expect(file.head.subarray(4, 8).toString()).toBe('ftyp');
	}, 180_000);

	it('example 3: a generated image becomes the start frame of an image-to-video job', async () => {
		const before = emulator.log.length;
		const out = await execute('clipiaExample003');
		const image = out['Generate Start Frame'][0];
		expect(image.binary).toBeUndefined();
		const submit = emulator.log.slice(before).find((r) => r.route === 'submit' && r.path.includes('i2v'));
		expect((submit?.body as { input: { image_url: string } }).input.image_url).toBe(
			(image.json.output as { images: Array<{ url: string }> }).images[0].url,
		);
		expect(out['Wait Generation'][0].json.status).toBe('COMPLETED');
	}, 180_000);

	it('example 4: a scheduled batch of 20 prompts runs together and ends in one summary item', async () => {
		const charged = emulator.stats(DEMO_KEYS.live).charged;
		const before = emulator.log.length;
		const out = await execute('clipiaExample004');
		const generated = out['Generate Image'];
		expect(generated).toHaveLength(20);
		expect(generated.map((item) => item.pairedItem)).toEqual(Array.from({ length: 20 }, (_, item) => ({ item })));
		const [summary] = out['Summary'];
		expect(summary.json).toMatchObject({ count: 20, completed: 20, credits_spent: 80 });
		expect(summary.json.urls).toHaveLength(20);
		expect(new Set(summary.json.request_ids as string[]).size).toBe(20);
		expect(emulator.stats(DEMO_KEYS.live).charged - charged).toBe(80);
		// Worked on together (maxConcurrency 5), not one after another.
		const spans = (summary.json.request_ids as string[]).map((id) => emulator.jobInfo(id)!);
		const peak = Math.max(
			...spans.map(
				(span) => spans.filter((o) => o.createdAt <= span.createdAt && (o.endAt ?? Infinity) > span.createdAt).length,
			),
		);
		expect(peak).toBeGreaterThanOrEqual(3);
		expect(peak).toBeLessThanOrEqual(5);
		expect(emulator.log.slice(before).filter((entry) => entry.route === 'submit')).toHaveLength(20);
	}, 180_000);

	it('example 8: the balance checked first (the Clipia node), a batch within Max Credits per Run, then what it spent', async () => {
		const charged = emulator.stats(DEMO_KEYS.live).charged;
		const before = emulator.log.length;
		const out = await execute('clipiaExample008');
		const [balance] = out['Check Balance'];
		expect(balance.json).toMatchObject({ credits: expect.any(Number), usage_30d: expect.any(Object) });
		expect(out['Generate Image']).toHaveLength(10);
		const [spent] = out['What It Spent'];
		const cost = emulator.stats(DEMO_KEYS.live).charged - charged;
		expect(spent.json).toMatchObject({
			count: 10,
			completed: 10,
			credits_spent: cost,
			credits_before: balance.json.credits,
			credits_left: (balance.json.credits as number) - cost,
		});
		expect(cost).toBeLessThanOrEqual(100);
		const routes = emulator.log.slice(before).map((entry) => entry.route);
		// Priced before the first submit: ten prompts on one model and settings, one estimate.
		expect(routes.filter((route) => route === 'estimate')).toHaveLength(1);
		expect(routes.indexOf('submit')).toBeGreaterThan(routes.lastIndexOf('estimate'));
		expect(routes.filter((route) => route === 'submit')).toHaveLength(10);
	}, 180_000);

	it('example 9: a video clip and, beside it, a voice-over of its narration as a playable MP3', async () => {
		const charged = emulator.stats(DEMO_KEYS.live).charged;
		const out = await execute('clipiaExample009');
		const [voice] = out['Generate Voice-over'];
		expect(voice.json).toMatchObject({ status: 'COMPLETED', model: 'elevenlabs-v3' });
		expect(voice.binary!.voiceover).toMatchObject({
			mimeType: 'audio/mpeg',
			fileExtension: 'mp3',
			fileName: `clipia-${voice.json.request_id}.mp3`,
		});
		const mp3 = storedFile(voice, 'voiceover');
		const seconds = mp3Seconds(readFileSync(mp3.path));
		// About 2.5 words a second: the 17-word narration lasts several seconds, as the result says.
		expect(seconds).toBeGreaterThan(4);
		expect(seconds).toBeCloseTo((voice.json.output as { audio: { duration: number } }).audio.duration, 0);
		const [video] = out['Wait for Video'];
		expect(video.json).toMatchObject({ status: 'COMPLETED' });
		expect(video.binary!.video.mimeType).toBe('video/mp4');
		expect(storedFile(video, 'video').head.subarray(4, 8).toString()).toBe('ftyp');
		expect(emulator.stats(DEMO_KEYS.live).charged - charged).toBe(
			(voice.json.cost_credits as number) + (out['Generate Video'][0].json.cost_credits as number),
		);
	}, 180_000);

	it('example 5: the AI agent workflow imports and n8n loads its Clipia tool nodes', async () => {
		const listed = await n8n(['list:workflow']);
		expect(listed.stdout).toContain('clipiaExample005');
		// No model is reachable here, and a chat trigger cannot start a headless run. So the check
		// runs a copy of the agent workflow with a lone Manual Trigger added: n8n builds every node
		// of a workflow before it runs one, and stops on a node type it does not know.
		const check = async (id: string, mutate: (nodes: Array<{ type: string }>) => void, heard = true) => {
			const workflow = JSON.parse(readFileSync(join(EXAMPLES_DIR, '5-ai-agent-tools.json'), 'utf8'));
			workflow.id = id;
			workflow.nodes.push({
				parameters: {},
				id: 'n-check',
				name: 'Check',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 400],
			});
			mutate(workflow.nodes);
			const file = join(folder, `${id}.json`);
			writeFileSync(file, JSON.stringify(workflow));
			expect((await n8n(['import:workflow', `--input=${file}`])).code).toBe(0);
			let run = await n8n(['execute', `--id=${id}`, '--rawOutput'], { heard });
			// Once, on a loaded machine, the command was ended by a signal (no exit code) before it said
			// anything of the workflow; the check is about node types, so such a run is run again.
			if (run.code === null) run = await n8n(['execute', `--id=${id}`, '--rawOutput'], { heard });
			return { code: run.code, said: run.stdout + run.stderr };
		};
		const real = await check('clipiaExample005a', () => undefined);
		expect(real.said).not.toMatch(/Unrecognized node type/i);
		expect(real.code).toBe(0);
		// The same check fails when a tool node's type is unknown: it can tell.
		const broken = await check(
			'clipiaExample005b',
			(nodes) => {
				nodes.find((node) => node.type === 'n8n-nodes-clipia.clipiaGenerateVideoTool')!.type =
					'n8n-nodes-clipia.clipiaNoSuchTool';
			},
			false,
		);
		// (n8n resolves a tool variant through its base node: clipiaNoSuchTool → clipiaNoSuch.)
		expect(broken.said).toMatch(/Unrecognized node type: n8n-nodes-clipia\.clipiaNoSuch\b/);
		// …and the complaint check below would have heard it.
		expect(packageComplaints(broken.said)).not.toEqual([]);
	}, 120_000);

	it('example 6: a wrong key and a failed generation become readable error items', async () => {
		const out = await execute('clipiaExample006');
		const [badKey] = out['Wrong API Key'];
		expect(String(badKey.json.error)).toMatch(/did not accept the API key/);
		expect(JSON.stringify(badKey.json)).not.toContain(WRONG_KEY);
		const [failed] = out['Generation That Fails'];
		expect(String(failed.json.error)).toMatch(/could not complete generation .*GENERATION_FAILED.*refunded/);
		expect(failed.json.request_id).toMatch(/^[0-9a-f-]{36}$/);
	}, 120_000);

	it('n8n said nothing against the package in any command of this suite', () => {
		expect(said.length).toBeGreaterThan(10);
		expect(packageComplaints(said.join('\n'))).toEqual([]);
	});
}
