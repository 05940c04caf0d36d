/**
 * The generation card: an MCP Apps view (extension io.modelcontextprotocol/ui, 2026-01-26)
 * that a host shows beside generate_image, generate_video, wait_generation and get_generation.
 *
 * It speaks the view's side of the protocol itself (JSON-RPC over postMessage with the host:
 * ui/initialize, the tool-input / tool-result / host-context notifications, tools/call,
 * size-changed, resource-teardown), about 100 lines. The ext-apps `App` class does the same,
 * but it carries zod and weighs about 300 KB bundled, twice the card's whole budget; the test
 * host is built on ext-apps' own AppBridge, so the two sides are checked against each other.
 *
 * What it shows: prompt and model; while running, the status (queue position, progress, time
 * elapsed against the expected run time) refreshed through the app-only tool
 * `app_get_generation` until the generation ends or the card is hidden; then the images
 * (linking to the originals), the video or the audio in a player, the cost, the request_id
 * (copyable); a FAILED / CANCELED generation with its error and what to do next.
 */

type Json = Record<string, unknown>;

interface Generation {
	request_id?: string;
	status?: string;
	model?: string;
	prompt?: string;
	cost_credits?: number;
	queue_position?: number | null;
	progress?: number | null;
	expected_seconds?: number;
	output?: {
		images?: Array<{ url: string; original_url?: string; width?: number; height?: number }>;
		video?: { url: string; original_url?: string };
		audio?: { url: string; original_url?: string };
	};
	error?: { message?: string; code?: string } | string;
	next_step?: string;
	note?: string;
}

const PROTOCOL_VERSION = '2026-01-26';
const REFRESH_TOOL = 'app_get_generation';
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELED']);

// ---- The view's side of the protocol -------------------------------------------------------

let nextId = 1;
const pending = new Map<number, { resolve: (value: Json) => void; reject: (error: Error) => void }>();
const handlers: Partial<Record<string, (params: Json) => Json | void>> = {};

function post(message: Json): void {
	window.parent.postMessage({ jsonrpc: '2.0', ...message }, '*');
}

function request(method: string, params: Json): Promise<Json> {
	const id = nextId++;
	post({ id, method, params });
	return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

function notify(method: string, params: Json = {}): void {
	post({ method, params });
}

window.addEventListener('message', (event) => {
	if (event.source !== window.parent) return;
	const message = event.data as Json;
	if (!message || message.jsonrpc !== '2.0') return;
	if ('id' in message && !('method' in message)) {
		const waiting = pending.get(message.id as number);
		pending.delete(message.id as number);
		const error = message.error as { message?: string } | undefined;
		if (error) waiting?.reject(new Error(error.message ?? 'host error'));
		else waiting?.resolve((message.result ?? {}) as Json);
		return;
	}
	const handler = handlers[message.method as string];
	const result = handler?.((message.params ?? {}) as Json);
	if ('id' in message) {
		if (handler) post({ id: message.id, result: result ?? {} });
		else post({ id: message.id, error: { code: -32601, message: `Method not found: ${String(message.method)}` } });
	}
});

// ---- Host context: theme, style variables, fonts ---------------------------------------------

interface HostContext {
	theme?: 'light' | 'dark';
	styles?: { variables?: Record<string, string>; css?: { fonts?: string } };
}

let fontsApplied = false;
function applyHostContext(context: HostContext | undefined): void {
	if (!context) return;
	const root = document.documentElement;
	if (context.theme) {
		root.dataset.theme = context.theme;
		root.style.colorScheme = context.theme;
	}
	for (const [name, value] of Object.entries(context.styles?.variables ?? {}))
		if (name.startsWith('--') && value) root.style.setProperty(name, value);
	if (context.styles?.css?.fonts && !fontsApplied) {
		const style = document.createElement('style');
		style.textContent = context.styles.css.fonts;
		document.head.append(style);
		fontsApplied = true;
	}
}

// ---- State and rendering ----------------------------------------------------------------------

let args: Json = {};
let generation: Generation = {};
let startedAt = Date.now();
/** Torn down, or its tool call cancelled: the card refreshes no more. */
let stopped = false;
/** Refreshes in a row that brought no state: each waits twice as long; after a few, the card stops. */
let failures = 0;
const MAX_FAILURES = 6;

const element = <K extends keyof HTMLElementTagNameMap>(
	tag: K,
	attributes: Record<string, string> = {},
	...children: Array<Node | string>
): HTMLElementTagNameMap[K] => {
	const node = document.createElement(tag);
	for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
	node.append(...children);
	return node;
};

function clock(seconds: number): string {
	const whole = Math.max(0, Math.round(seconds));
	return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

function errorText(error: Generation['error']): string {
	if (!error) return 'The generation did not finish.';
	return typeof error === 'string' ? error : (error.message ?? error.code ?? 'The generation did not finish.');
}

/** Opens a link through the host (a sandboxed view can't open windows itself). */
function linkTo(url: string, label: string | Node): HTMLAnchorElement {
	const link = element('a', { href: url, target: '_blank', rel: 'noopener' }, label);
	link.addEventListener('click', (event) => {
		event.preventDefault();
		void request('ui/open-link', { url }).catch(() => undefined);
	});
	return link;
}

function statusLine(): HTMLElement {
	const status = generation.status ?? 'SUBMITTING';
	const line = element('div', { class: 'status', 'data-status': status });
	const elapsed = (Date.now() - startedAt) / 1000;
	if (status === 'IN_QUEUE') {
		const position = generation.queue_position;
		line.append(`In queue${typeof position === 'number' ? ` · position ${position}` : ''} · ${clock(elapsed)}`);
	} else if (status === 'IN_PROGRESS') {
		const percent = typeof generation.progress === 'number' ? generation.progress : undefined;
		const expected = generation.expected_seconds;
		line.append(
			`Generating${percent !== undefined ? ` · ${percent}%` : ''} · ${clock(elapsed)}${expected ? ` of about ${clock(expected)}` : ''}`,
		);
		const bar = element('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100' });
		const fill = element('div', { class: 'fill' });
		const ratio = percent !== undefined ? percent / 100 : expected ? Math.min(0.95, elapsed / expected) : undefined;
		if (ratio !== undefined) {
			fill.style.width = `${Math.round(ratio * 100)}%`;
			bar.setAttribute('aria-valuenow', String(Math.round(ratio * 100)));
		} else bar.classList.add('indeterminate');
		bar.append(fill);
		line.append(bar);
	} else if (status === 'SUBMITTING') line.append('Submitting…');
	else line.append(status === 'COMPLETED' ? 'Completed' : status === 'CANCELED' ? 'Canceled' : 'Failed');
	return line;
}

function media(): HTMLElement | undefined {
	const output = generation.output;
	if (!output) return undefined;
	if (output.images?.length) {
		const grid = element('div', { class: 'grid' });
		output.images.forEach((image, index) => {
			const picture = element('img', { src: image.url, alt: `Image ${index + 1}`, loading: 'lazy' });
			grid.append(linkTo(image.original_url ?? image.url, picture));
		});
		return grid;
	}
	if (output.video) {
		const video = element('video', { src: output.video.url, controls: '', playsinline: '', preload: 'metadata' });
		return element(
			'div',
			{ class: 'player' },
			video,
			linkTo(output.video.original_url ?? output.video.url, 'Open the video'),
		);
	}
	if (output.audio) {
		const audio = element('audio', { src: output.audio.url, controls: '', preload: 'metadata' });
		return element(
			'div',
			{ class: 'player' },
			audio,
			linkTo(output.audio.original_url ?? output.audio.url, 'Open the audio'),
		);
	}
	return undefined;
}

function requestIdRow(): HTMLElement | undefined {
	const id = generation.request_id;
	if (!id) return undefined;
	const code = element('code', {}, id);
	const copy = element('button', { type: 'button', class: 'copy', title: 'Copy the request_id' }, 'Copy');
	copy.addEventListener('click', () => {
		const copied = () => (copy.textContent = 'Copied');
		void navigator.clipboard?.writeText(id).then(copied, () => {
			// Without clipboard permission: select it, so the person copies it themselves.
			const range = document.createRange();
			range.selectNodeContents(code);
			getSelection()?.removeAllRanges();
			getSelection()?.addRange(range);
		});
	});
	return element('div', { class: 'id' }, 'request_id ', code, copy);
}

function render(): void {
	const card = element('article', { class: 'card', 'data-status': generation.status ?? 'SUBMITTING' });
	const model = generation.model ?? (args.model as string | undefined);
	const header = element('header', {}, element('span', { class: 'brand' }, 'Clipia'));
	if (model) header.append(element('span', { class: 'model' }, model));
	if (typeof generation.cost_credits === 'number')
		header.append(element('span', { class: 'cost' }, `${generation.cost_credits} credits`));
	card.append(header);
	const prompt = (args.prompt as string | undefined) ?? generation.prompt;
	if (prompt) card.append(element('p', { class: 'prompt' }, prompt));
	card.append(statusLine());
	const shown = media();
	if (shown) card.append(shown);
	if (generation.status === 'FAILED' || generation.status === 'CANCELED' || generation.status === 'ERROR') {
		const next =
			generation.next_step ??
			(generation.status === 'ERROR'
				? undefined
				: 'Its credits are refunded. Ask again, perhaps with a changed prompt or another model.');
		const failure = element(
			'div',
			{ class: 'failure', role: 'alert' },
			element('strong', {}, errorText(generation.error)),
		);
		if (next) failure.append(element('p', {}, next));
		card.append(failure);
	} else if (generation.note) card.append(element('p', { class: 'note' }, generation.note));
	const id = requestIdRow();
	if (id) card.append(id);
	document.body.replaceChildren(card);
}

// ---- Refreshing while the generation runs -----------------------------------------------------

let timer: ReturnType<typeof setTimeout> | undefined;
let ticker: ReturnType<typeof setInterval> | undefined;

function running(): boolean {
	return !!generation.request_id && !TERMINAL.has(generation.status ?? '') && !stopped && failures < MAX_FAILURES;
}

function schedule(): void {
	clearTimeout(timer);
	if (!running() || document.visibilityState === 'hidden') return;
	const every = generation.status === 'IN_PROGRESS' ? 2_000 : 3_000;
	timer = setTimeout(refresh, Math.min(30_000, every * 2 ** failures));
}

async function refresh(): Promise<void> {
	if (!running() || document.visibilityState === 'hidden') return;
	try {
		const answer = (await request('tools/call', {
			name: REFRESH_TOOL,
			arguments: { request_id: generation.request_id },
		})) as { structuredContent?: Generation; isError?: boolean };
		if (answer.structuredContent?.status) {
			failures = 0;
			show(answer.structuredContent);
		} else failures++;
	} catch {
		// The host refused or the server failed: try again later, less often.
		failures++;
	}
	if (failures >= MAX_FAILURES) {
		generation = {
			...generation,
			note: 'The card could not refresh this generation. Ask for it again by its request_id.',
		};
		clearInterval(ticker);
		render();
	}
	schedule();
}

function show(result: Generation): void {
	generation = { ...generation, ...result };
	render();
	clearInterval(ticker);
	// The elapsed time moves on between answers.
	if (running()) ticker = setInterval(render, 1_000);
}

document.addEventListener('visibilitychange', () => {
	if (document.visibilityState === 'visible') void refresh();
	else {
		clearTimeout(timer);
		clearInterval(ticker);
	}
});

handlers['ui/notifications/tool-input'] = (params) => {
	args = (params.arguments as Json) ?? {};
	startedAt = Date.now();
	render();
};
handlers['ui/notifications/tool-result'] = (params) => {
	const result = (params.structuredContent ?? {}) as Generation & { error?: { message?: string; request_id?: string } };
	if (result.request_id) show(result);
	else {
		// The call itself failed (the bridge's error result): its sentence and next step. When the
		// generation was submitted before the failure, its request_id is there: the card follows it.
		const error = typeof result.error === 'object' ? result.error : undefined;
		const said = [error?.message ?? errorText(result.error), result.next_step].filter(Boolean).join(' ');
		show(
			error?.request_id
				? { request_id: error.request_id, note: said }
				: { status: 'ERROR', error: error?.message ?? errorText(result.error), next_step: result.next_step },
		);
	}
	schedule();
};
handlers['ui/notifications/tool-cancelled'] = () => {
	stopped = true;
	clearTimeout(timer);
	clearInterval(ticker);
};
handlers['ui/notifications/host-context-changed'] = (params) => applyHostContext(params as HostContext);
handlers['ui/resource-teardown'] = () => {
	stopped = true;
	clearTimeout(timer);
	clearInterval(ticker);
	return {};
};
handlers.ping = () => ({});

// ---- Size: the host sizes the frame to the card -------------------------------------------------

let lastHeight = 0;
/** The size goes to the host once it answered ui/initialize, and whenever it changes after. */
function sendSize(): void {
	const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
	if (height === lastHeight) return;
	lastHeight = height;
	notify('ui/notifications/size-changed', { height });
}

render();
void request('ui/initialize', {
	appInfo: { name: 'clipia-generation-card', version: '1' },
	appCapabilities: {},
	protocolVersion: PROTOCOL_VERSION,
}).then((result) => {
	applyHostContext(result.hostContext as HostContext | undefined);
	notify('ui/notifications/initialized');
	new ResizeObserver(sendSize).observe(document.documentElement);
	sendSize();
});
