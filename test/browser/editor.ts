/**
 * The n8n editor as a person meets it, in Debian's Chromium: n8n served the way `npm start`
 * serves it (the newest line, the emulator, the credentials, the examples, the owner account),
 * then sign-in, search, the node panel, examples run from the UI with their media shown, and
 * the credential test. One suite per n8n line. CLIPIA_SCREENSHOTS=<folder> also saves the
 * README's pictures there (`npm run screenshots`, from the newest line).
 */

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, selectors, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium } from '../../scripts/chromium';
import { EXAMPLES_DIR, LOCAL_OWNER, startLocalN8n, type LocalN8n } from '../../scripts/local-n8n';
import { freePort, NEWEST_LINE } from '../../scripts/n8n-runtime';
import { until } from '../helpers/n8n-server';

export function editorSuite(line: string): void {
	const screenshots = line === NEWEST_LINE ? process.env.CLIPIA_SCREENSHOTS : undefined;
	let local: LocalN8n;
	let browser: Browser;
	let page: Page;
	let folder: string;

	beforeAll(async () => {
		const executablePath = ensureChromium();
		folder = mkdtempSync(join(tmpdir(), 'clipia-editor-'));
		local = await startLocalN8n({
			line,
			port: await freePort(),
			emulatorPort: await freePort(),
			folder,
			log: () => undefined,
		});
		selectors.setTestIdAttribute('data-test-id');
		browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
		page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
		page.setDefaultTimeout(30_000);
		if (screenshots) mkdirSync(screenshots, { recursive: true });
	}, 30 * 60_000);

	afterAll(async () => {
		await browser?.close();
		await local?.stop();
		if (folder) rmSync(folder, { recursive: true, force: true });
	});

	async function picture(name: string): Promise<void> {
		if (screenshots) await page.screenshot({ path: join(screenshots, `${name}.png`) });
	}

	async function openWorkflow(id: string): Promise<void> {
		await page.goto(`${local.url}/workflow/${id}`);
		await page.getByTestId('canvas-node').first().waitFor();
	}

	const node = (name: string) => page.getByTestId('canvas-node').filter({ hasText: name });

	/** Reads until `accept` holds, for as long as the editor may take to show it. */
	const eventually = <T>(read: () => Promise<T>, accept: (value: T) => boolean) => until(read, accept, 15_000);

	/** Types into the node panel's search and reads the node names once the list shows matches. */
	async function searchNodePanel(term: string): Promise<string[]> {
		await page.getByTestId('node-creator-search-bar').fill(term);
		return eventually(
			() => page.getByTestId('node-creator-item-name').allInnerTexts(),
			(names) => names.some((name) => name.startsWith('Clipia')),
		);
	}

	/** Runs the open workflow from the editor's button and waits until n8n says it finished. */
	async function executeFromEditor(lastNode: string): Promise<void> {
		await page.getByTestId('execute-workflow-button').click();
		await node(lastNode).locator('[data-test-id="canvas-node-status-success"]').waitFor({ timeout: 90_000 });
	}

	/** Runs a workflow from the editor, opens `lastNode` and its binary output's View; returns the node panel. */
	async function viewBinaryOutput(workflowId: string, lastNode: string, shown = lastNode) {
		await openWorkflow(workflowId);
		await executeFromEditor(lastNode);
		await node(shown).dblclick();
		await page.getByTestId('ndv-view-binary-data').click();
		return page.getByTestId('ndv');
	}

	it('signs in with the owner account npm start prints', async () => {
		await page.goto(`${local.url}/signin`);
		// (n8n 2.8.4's labels point at no input id: the fields are found as a browser autofills them.)
		await page.locator('input[autocomplete="email"]').fill(LOCAL_OWNER.email);
		await page.locator('input[autocomplete="current-password"]').fill(LOCAL_OWNER.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.waitForURL(/\/home\//);
		await page.getByText('Clipia 1: text to image (binary)').first().waitFor();
	}, 60_000);

	it('finds the nodes by search in the node panel: "Clipia", "image", "video", "generate", "balance", "credits", "price", "voice", "music"', async () => {
		await openWorkflow('clipiaExample001');
		const found: Record<string, string[]> = {};
		for (const term of ['Clipia', 'image', 'video', 'generate', 'balance', 'credits', 'price', 'voice', 'music']) {
			await page.getByTestId('node-creator-plus-button').click();
			found[term] = await searchNodePanel(term);
			if (term === 'Clipia') {
				await picture('node-panel-search');
				// Each node shows the Clipia mark, served from the package's one icons/ folder.
				const icons = page
					.locator('[data-test-id="node-creator-item-name"]')
					.locator('xpath=ancestor::*[.//img][1]')
					.locator('img');
				const loaded = await icons.evaluateAll((images) =>
					images.map((image) => [(image as HTMLImageElement).src, (image as HTMLImageElement).naturalWidth] as const),
				);
				expect(loaded.length).toBeGreaterThanOrEqual(3);
				for (const [src, width] of loaded) {
					expect(src).toMatch(/n8n-nodes-clipia\/dist\/icons\/clipia(\.dark)?\.svg/);
					expect(width).toBeGreaterThan(0);
				}
			}
			await page.keyboard.press('Escape');
		}
		expect([...found.Clipia].sort()).toEqual([
			'Clipia',
			'Clipia Generate Audio',
			'Clipia Generate Image',
			'Clipia Generate Video',
			'Clipia Wait Generation',
		]);
		expect(found.voice).toContain('Clipia Generate Audio');
		expect(found.music).toContain('Clipia Generate Audio');
		for (const term of ['balance', 'credits', 'price']) expect(found[term]).toContain('Clipia');
		expect(found.image).toContain('Clipia Generate Image');
		expect(found.video).toContain('Clipia Generate Video');
		expect(found.generate).toEqual(expect.arrayContaining(['Clipia Generate Image', 'Clipia Generate Video']));
	}, 120_000);

	it("finds the tool variants in an AI Agent's tool panel", async () => {
		await openWorkflow('clipiaExample005');
		// The agent's plus handles: memory, then tool.
		await node('AI Agent').getByTestId('canvas-handle-plus').last().click();
		expect(await searchNodePanel('Clipia')).toEqual(
			expect.arrayContaining([
				'Clipia Generate Image Tool',
				'Clipia Generate Video Tool',
				'Clipia Wait Generation Tool',
				'Clipia Tool',
			]),
		);
		await page.keyboard.press('Escape');
	}, 60_000);

	it('opens every example with no credential or parameter issue on any Clipia node', async () => {
		const examples = readdirSync(EXAMPLES_DIR).filter((name) => name.endsWith('.json'));
		expect(examples).toHaveLength(local.workflows);
		const issues: Record<string, string[]> = {};
		for (const file of examples) {
			const workflow = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as { id: string };
			await openWorkflow(workflow.id);
			await page.waitForTimeout(1000);
			issues[file] = await page
				.getByTestId('canvas-node')
				.filter({ has: page.getByTestId('node-issues') })
				.evaluateAll((nodes) => nodes.map((n) => n.textContent?.trim() ?? ''));
		}
		// Example 6's node with the wrong key on purpose still lists a model (no "Error fetching options").
		await openWorkflow('clipiaExample006');
		await node('Wrong API Key').dblclick();
		await page.getByTestId('ndv').waitFor();
		await page.getByTestId('parameter-input-model').waitFor();
		await page.waitForTimeout(1500);
		expect(await page.getByTestId('ndv').innerText()).not.toMatch(/Error fetching options/i);
		expect(await page.getByTestId('parameter-input-model').locator('input').inputValue()).toMatch(/nano-banana-2/);
		await page.getByTestId('ndv-close-button').click();
		// Example 3's video node takes its start image from a node that has not run: an expression
		// that can't be resolved yet. Its model list still loads, image-to-video models first.
		await openWorkflow('clipiaExample003');
		await node('Animate It').dblclick();
		await page.getByTestId('ndv').waitFor();
		await page.getByTestId('parameter-input-model').click();
		const models = await eventually(
			() => page.getByTestId('parameter-input-item').allInnerTexts(),
			(texts) => texts.some((text) => text.includes('(seedance-2-fast-i2v)')),
		);
		expect(await page.getByTestId('ndv').innerText()).not.toMatch(/Error fetching options/i);
		const at = (slug: string) => models.findIndex((text) => text.includes(`(${slug})`));
		expect(at('seedance-2-fast-t2v')).toBeGreaterThan(at('seedance-2-fast-i2v'));
		await page.keyboard.press('Escape');
		await page.getByTestId('ndv-close-button').click();
		// The agent example needs the user's own OpenAI credential on its model node, and only there.
		expect(issues).toEqual({
			...Object.fromEntries(examples.map((file) => [file, []])),
			'5-ai-agent-tools.json': [expect.stringMatching(/OpenAI Chat Model/)],
		});
	}, 180_000);

	it('the Generate Image panel: the credential is selected and the Model list comes from the API', async () => {
		await openWorkflow('clipiaExample001');
		await node('Generate Image').dblclick();
		await page.getByTestId('ndv').waitFor();
		await expect(page.getByTestId('node-credentials-select').locator('input').inputValue()).resolves.toBe(
			'Clipia account',
		);
		await page.getByTestId('parameter-input-model').click();
		const names = await eventually(
			() => page.getByTestId('parameter-input-item').allInnerTexts(),
			(texts) => texts.some((text) => text.includes('(nano-banana-2)')),
		);
		expect(names.join('\n')).toMatch(/Nano Banana 2 \(nano-banana-2\)/);
		expect(names.length).toBeGreaterThan(1);
		await page.keyboard.press('Escape');
		await picture('generate-image-parameters');
		await page.getByTestId('ndv-close-button').click();
	}, 60_000);

	it('example 1 run from the editor: the PNG preview renders', async () => {
		const image = (await viewBinaryOutput('clipiaExample001', 'Generate Image'))
			.locator('img[src^="blob:"], img[src*="/binary-data"]')
			.first();
		await image.waitFor();
		const size = await eventually(
			() => image.evaluate((img: HTMLImageElement) => [img.complete ? img.naturalWidth : 0, img.naturalHeight]),
			([width]) => width > 0,
		);
		expect(size).toEqual([2048, 1152]);
		await picture('example-1-image-output');
		await page.getByTestId('ndv-close-button').click();
	}, 120_000);

	it('example 2 run from the editor: the MP4 from Clipia Wait Generation plays', async () => {
		const video = (await viewBinaryOutput('clipiaExample002', 'Wait Generation')).locator('video').first();
		await video.waitFor();
		const state = await eventually(
			() =>
				video.evaluate((v: HTMLVideoElement) => ({
					ready: v.readyState,
					duration: v.duration,
					width: v.videoWidth,
					error: v.error?.code ?? null,
				})),
			({ ready }) => ready >= 2,
		);
		// HAVE_CURRENT_DATA or better: a frame is decoded and shown.
		expect(state.ready).toBeGreaterThanOrEqual(2);
		expect(state).toMatchObject({ duration: 3, width: 480, error: null });
		await page.getByTestId('ndv-close-button').click();
	}, 120_000);

	it('example 9 run from the editor: the voice-over MP3 plays in the binary view, beside the clip', async () => {
		const audio = (await viewBinaryOutput('clipiaExample009', 'Wait for Video', 'Generate Voice-over'))
			.locator('audio')
			.first();
		await audio.waitFor({ state: 'attached' });
		const state = await eventually(
			() =>
				audio.evaluate((a: HTMLAudioElement) => ({
					ready: a.readyState,
					duration: a.duration,
					error: a.error?.code ?? null,
					type: a.querySelector('source')?.getAttribute('type') ?? null,
				})),
			({ ready, error }) => ready >= 1 || error !== null,
		);
		expect(state).toMatchObject({ error: null, type: 'audio/mpeg' });
		// Decoded by the browser: its length is the narration's, several seconds of speech.
		expect(state.duration).toBeGreaterThan(4);
		expect(state.duration).toBeLessThan(15);
		// And it plays: time moves on.
		await audio.evaluate((a: HTMLAudioElement) => {
			a.muted = true;
			return a.play();
		});
		await eventually(
			() => audio.evaluate((a: HTMLAudioElement) => a.currentTime),
			(time) => time > 0.2,
		);
		await picture('example-9-voice-over-output');
		await page.getByTestId('ndv-close-button').click();
	}, 150_000);

	it('examples 3 and 6 run from the editor: image → video, and the error items', async () => {
		await openWorkflow('clipiaExample003');
		await executeFromEditor('Wait Generation');
		await openWorkflow('clipiaExample006');
		// Continue on Fail: both error nodes end as successful steps that carry error items
		// (their contents are checked in the real-n8n suite).
		await executeFromEditor('Generation That Fails');
		await node('Wrong API Key').locator('[data-test-id="canvas-node-status-success"]').waitFor();
	}, 180_000);

	it("example 7 run from the editor: the run waits parked, then Clipia's webhooks resume it with the three MP4s", async () => {
		await openWorkflow('clipiaExample007');
		await page.getByTestId('execute-workflow-button').click();
		// While the videos render, the editor says the run is waiting (n8n's own words vary by line).
		await page
			.getByText(/waiting/i)
			.first()
			.waitFor({ timeout: 60_000 });
		await node('Generate Video').locator('[data-test-id="canvas-node-status-success"]').waitFor({ timeout: 120_000 });
		await node('Generate Video').dblclick();
		await page.getByTestId('ndv').waitFor();
		expect(await page.getByTestId('ndv').innerText()).toMatch(/3 items/);
		await page.getByTestId('ndv-view-binary-data').first().click();
		await page.getByTestId('ndv').locator('video').first().waitFor();
		await page.getByTestId('ndv-close-button').click();
	}, 240_000);

	it('the credential test passes for "Clipia account" and names the problem for the wrong key', async () => {
		const test = async (name: string) => {
			await page.goto(`${local.url}/home/credentials`);
			await page.getByText(name, { exact: true }).click();
			const dialog = page.getByRole('dialog');
			await dialog
				.getByText(/Connection tested successfully|Couldn.t connect with these settings/)
				.first()
				.waitFor();
			const details = dialog.getByText('More details');
			if (await details.count()) await details.first().hover();
			await page.waitForTimeout(500);
			const said = (await dialog.innerText()) + (await page.getByRole('tooltip').allInnerTexts()).join(' ');
			await page.keyboard.press('Escape');
			return said;
		};
		expect(await test('Clipia account')).toMatch(/Connection tested successfully/);
		const wrong = await test('Clipia (wrong key)');
		expect(wrong).toMatch(/Couldn.t connect with these settings/);
		expect(wrong).not.toContain('clipia_live_wrong_key_0000');
	}, 60_000);
}
