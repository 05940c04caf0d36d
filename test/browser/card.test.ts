/**
 * The generation card as a person sees it in an MCP Apps host, in Debian's Chromium: a test
 * host built on ext-apps' AppBridge (card-host/host.ts) renders the real bridge process's
 * `ui://` resource in a sandboxed iframe under its declared content policy, and relays the
 * card's calls to that process (stdio, against the emulator). Asserted: a video's card goes
 * IN_QUEUE → IN_PROGRESS (progress rising) → COMPLETED and the video plays; an image
 * generation shows its grid; a failed one its error; the card follows the host's theme and
 * fits a narrow width; no console error or content-policy violation; the refresh tool is the
 * app's alone and stops with the generation. CLIPIA_SCREENSHOTS=<folder> saves the pictures
 * (`npm run screenshots`).
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { build } from 'esbuild';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { DEMO_KEYS } from '../../emulator/server';
import { CHROMIUM_ARGS, ensureChromium } from '../../scripts/chromium';
import { useEmulator } from '../helpers/emulator';

const root = join(__dirname, '..', '..');

/** What card-host/host.ts puts on the page. */
declare global {
	interface Window {
		cardHost: {
			openedLinks: string[];
			modelTools(tools: unknown[]): string[];
			mount(options: Record<string, unknown>): Promise<void>;
			teardown(): Promise<void>;
		};
	}
}
const screenshots = process.env.CLIPIA_SCREENSHOTS;
/** Host style variables, as a dark host sends them. */
const DARK_VARIABLES = {
	'--color-background-primary': '#201d29',
	'--color-text-primary': '#f3f1fa',
	'--color-border-primary': '#3d3849',
};

const emulator = useEmulator({
	timeScale: 5,
	runSeconds: { image: 5, video: 60 },
	dispatchMs: 15_000,
	reportProgress: true,
	videoBytes: 1024 * 1024,
});

let browser: Browser;
let page: Page;
let client: Client;
let hostScript = '';
let tools: Array<{ name: string; _meta?: Record<string, unknown> }> = [];
let card: { html: string; csp: Record<string, string[]> };
const problems: string[] = [];
/** The card's calls through the host, with what each answered. */
const relayed: Array<{ at: number; name: string; status?: string; progress?: number | null }> = [];

beforeAll(async () => {
	hostScript = (
		await build({
			entryPoints: [join(__dirname, 'card-host', 'host.ts')],
			bundle: true,
			write: false,
			format: 'iife',
			target: 'es2020',
			logLevel: 'warning',
		})
	).outputFiles[0].text;
	const transport = new StdioClientTransport({
		command: process.execPath,
		args: [join(root, 'bridge', 'dist', 'bridge', 'src', 'cli.js')],
		env: { PATH: process.env.PATH ?? '', CLIPIA_API_KEY: DEMO_KEYS.live, CLIPIA_BASE_URL: emulator.url },
		stderr: 'pipe',
	});
	client = new Client({ name: 'card-test-host', version: '1.0.0' });
	await client.connect(transport);
	tools = (await client.listTools()).tools;
	const uri = (tools.find((tool) => tool.name === 'generate_video')!._meta as { ui: { resourceUri: string } }).ui
		.resourceUri;
	const [content] = (await client.readResource({ uri })).contents as unknown as Array<{
		text: string;
		_meta: { ui: { csp: Record<string, string[]> } };
	}>;
	card = { html: content.text, csp: content._meta.ui.csp };

	browser = await chromium.launch({ executablePath: ensureChromium(), args: CHROMIUM_ARGS });
	page = await browser.newPage({ viewport: { width: 720, height: 900 } });
	page.on('console', (message) => {
		if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
	});
	page.on('pageerror', (error) => problems.push(error.message));
	await page.exposeFunction('relayToolCall', async (name: string, args: Record<string, unknown>) => {
		const answer = (await client.callTool({ name, arguments: args })) as {
			structuredContent?: { status?: string; progress?: number | null };
		};
		relayed.push({
			at: Date.now(),
			name,
			status: answer.structuredContent?.status,
			progress: answer.structuredContent?.progress,
		});
		return answer;
	});
	await page.setContent('<!doctype html><html><body></body></html>');
	await page.addScriptTag({ content: hostScript });
	if (screenshots) mkdirSync(screenshots, { recursive: true });
}, 120_000);

afterAll(async () => {
	await browser?.close();
	await client?.close();
});

afterEach(() => {
	// Whatever a test did, the card said nothing wrong and its policy refused nothing.
	expect(problems).toEqual([]);
});

async function show(
	tool: string,
	input: Record<string, unknown>,
	options: { theme?: 'light' | 'dark'; width?: number } = {},
): Promise<{ frame: Frame; result: Record<string, unknown> }> {
	const result = (await client.callTool({ name: tool, arguments: input })) as Record<string, unknown>;
	const theme = options.theme ?? 'light';
	await page.evaluate((mount) => window.cardHost.mount(mount), {
		html: card.html,
		csp: card.csp,
		tools,
		theme,
		variables: theme === 'dark' ? DARK_VARIABLES : {},
		width: options.width ?? 560,
		input,
		result,
	});
	const frame = await cardFrame();
	return { frame, result };
}

async function cardFrame(): Promise<Frame> {
	const handle = await page.waitForSelector('#card');
	const frame = await handle.contentFrame();
	if (!frame) throw new Error('The card has no frame');
	await frame.waitForSelector('article.card');
	return frame;
}

async function picture(name: string): Promise<void> {
	if (screenshots) await page.locator('#card').screenshot({ path: join(screenshots, `${name}.png`) });
}

it("the refresh tool is the card's own: a host offers the model every tool but it", async () => {
	const offered = await page.evaluate((list) => window.cardHost.modelTools(list), tools);
	expect(offered).not.toContain('app_get_generation');
	expect(offered).toEqual(tools.map((tool) => tool.name).filter((name) => name !== 'app_get_generation'));
});

it('a video: IN_QUEUE → IN_PROGRESS with progress rising → COMPLETED, then it plays; the refreshing stops', async () => {
	relayed.length = 0;
	const { frame, result } = await show('generate_video', { prompt: 'a paper boat on a pond, morning mist' });
	expect((result.structuredContent as { status: string }).status).toBe('IN_QUEUE');
	expect(await frame.textContent('.status')).toMatch(/In queue/);
	await frame.waitForSelector('.status[data-status="IN_PROGRESS"]', { timeout: 30_000 });
	await picture('card-video-running');
	await frame.waitForFunction(
		() => {
			const video = document.querySelector('video');
			return !!video && video.readyState >= 2 && video.duration > 0;
		},
		undefined,
		{ timeout: 60_000 },
	);
	await picture('card-video');
	const statuses = relayed.filter((call) => call.name === 'app_get_generation').map((call) => call.status);
	expect(statuses.at(-1)).toBe('COMPLETED');
	expect(statuses).toContain('IN_PROGRESS');
	const progress = relayed.filter((call) => call.status === 'IN_PROGRESS').map((call) => call.progress ?? 0);
	expect(progress.length).toBeGreaterThanOrEqual(2);
	for (let n = 1; n < progress.length; n++) expect(progress[n]).toBeGreaterThanOrEqual(progress[n - 1]);
	expect(progress.at(-1)!).toBeGreaterThan(progress[0]);
	expect(await frame.textContent('.id code')).toBe((result.structuredContent as { request_id: string }).request_id);
	// Ended: no more refreshes.
	const calls = relayed.length;
	await new Promise((resolve) => setTimeout(resolve, 4_000));
	expect(relayed.length).toBe(calls);
	// The same generation looked up later, in a dark host.
	const requestId = (result.structuredContent as { request_id: string }).request_id;
	const dark = await show('get_generation', { request_id: requestId }, { theme: 'dark' });
	await dark.frame.waitForFunction(() => (document.querySelector('video')?.readyState ?? 0) >= 2);
	await picture('card-video-dark');
}, 120_000);

it('images: the grid, each linking to its original through the host; the cost', async () => {
	const { frame, result } = await show('generate_image', { prompt: 'a red fox in the snow', num_images: 2 });
	const output = (result.structuredContent as { output: { images: Array<{ original_url: string }> } }).output;
	await frame.waitForFunction(() => {
		const images = Array.from(document.querySelectorAll('.grid img')) as HTMLImageElement[];
		return images.length === 2 && images.every((image) => image.complete && image.naturalWidth > 0);
	});
	expect(await frame.textContent('.cost')).toMatch(/\d+ credits/);
	await picture('card-images');
	await frame.$eval('.grid a', (link) => (link as HTMLAnchorElement).click());
	await page.waitForFunction(() => window.cardHost.openedLinks.length > 0);
	expect(await page.evaluate(() => window.cardHost.openedLinks.at(-1))).toBe(output.images[0].original_url);
});

it('speech: the MP3 plays in the card, within its content policy', async () => {
	const { frame, result } = await show('generate_audio', { prompt: 'Welcome back. Here is what is new this week.' });
	const reported = (result.structuredContent as { output: { audio: { duration: number } } }).output.audio.duration;
	await frame.waitForFunction(
		() => {
			const audio = document.querySelector('audio');
			return !!audio && audio.readyState >= 1 && audio.duration > 0;
		},
		undefined,
		{ timeout: 30_000 },
	);
	expect(await frame.$eval('audio', (audio) => (audio as HTMLAudioElement).duration)).toBeCloseTo(reported, 0);
	await frame.$eval('audio', (audio) => {
		(audio as HTMLAudioElement).muted = true;
		return (audio as HTMLAudioElement).play();
	});
	await frame.waitForFunction(() => (document.querySelector('audio')?.currentTime ?? 0) > 0.2);
	expect(await frame.textContent('.model')).toBe('elevenlabs-v3');
	await picture('card-audio');
});

it('a failed generation: its error and what to do next', async () => {
	const { frame } = await show('generate_image', { prompt: 'a fox [emulator:fail]' });
	await frame.waitForSelector('.failure');
	expect(await frame.textContent('.status')).toMatch(/Failed/);
	expect((await frame.textContent('.failure'))!.length).toBeGreaterThan(20);
	await picture('card-failed');
	const dark = await show('generate_image', { prompt: 'a fox [emulator:fail]' }, { theme: 'dark' });
	await dark.frame.waitForSelector('.failure');
	await picture('card-failed-dark');
});

it("follows the host's theme (its variables, dark) and fits a narrow width", async () => {
	const { frame } = await show('generate_image', { prompt: 'a lighthouse at night' }, { theme: 'dark', width: 320 });
	await frame.waitForSelector('.grid img');
	const look = await frame.evaluate(() => {
		const article = document.querySelector('article.card')!;
		return {
			theme: document.documentElement.dataset.theme,
			background: getComputedStyle(article).backgroundColor,
			overflows: document.documentElement.scrollWidth > document.documentElement.clientWidth,
		};
	});
	expect(look).toEqual({ theme: 'dark', background: 'rgb(32, 29, 41)', overflows: false });
	await picture('card-images-dark');
});

it('the host tears the card down: a running generation is no longer refreshed', async () => {
	relayed.length = 0;
	await show('generate_video', { prompt: 'clouds over a ridge' });
	await page.waitForFunction(() => true);
	await new Promise((resolve) => setTimeout(resolve, 3_500));
	await page.evaluate(() => window.cardHost.teardown());
	const calls = relayed.length;
	await new Promise((resolve) => setTimeout(resolve, 5_000));
	expect(relayed.length).toBe(calls);
}, 60_000);
