/**
 * A test host for the generation card, built on ext-apps' own AppBridge as MCP Apps hosts
 * are: the card's HTML goes into a sandboxed iframe (scripts only, an opaque origin) under the
 * content policy its resource declares, and the bridge relays the card's tools/call to the
 * test (window.relayToolCall), which calls the real bridge process. Like a host, it refuses a
 * call to a tool the app may not call, and hides app-only tools from the model.
 */

import {
	AppBridge,
	PostMessageTransport,
	isToolVisibilityAppOnly,
	type McpUiHostContext,
} from '@modelcontextprotocol/ext-apps/app-bridge';

type Json = Record<string, unknown>;
interface Tool {
	name: string;
	_meta?: Json;
}

declare global {
	interface Window {
		relayToolCall(name: string, args: Json): Promise<Json>;
		cardHost: typeof cardHost;
	}
}

/** The spec's default policy, opened to the declared origins (as hosts build it). */
function contentPolicy(csp: { resourceDomains?: string[]; connectDomains?: string[] } = {}): string {
	const safe = (origins: string[] = []) => origins.filter((origin) => /^[a-z]+:\/\/[^\s;'"]+$/i.test(origin)).join(' ');
	const media = safe(csp.resourceDomains);
	const connect = safe(csp.connectDomains);
	return [
		"default-src 'none'",
		`script-src 'self' 'unsafe-inline' ${media}`,
		`style-src 'self' 'unsafe-inline' ${media}`,
		`img-src 'self' data: ${media}`,
		`media-src 'self' data: ${media}`,
		`font-src 'self' ${media}`,
		`connect-src ${connect || "'none'"}`,
		"frame-src 'none'",
		"base-uri 'self'",
	].join('; ');
}

const openedLinks: string[] = [];
let bridge: AppBridge | undefined;

const cardHost = {
	openedLinks,

	/** The tools a host offers its model: app-only tools are not among them. */
	modelTools(tools: Tool[]): string[] {
		return tools.filter((tool) => !isToolVisibilityAppOnly(tool as never)).map((tool) => tool.name);
	},

	/** Shows the card for one tool call: its input, then its result. */
	async mount(options: {
		html: string;
		csp: { resourceDomains?: string[]; connectDomains?: string[] };
		tools: Tool[];
		theme: 'light' | 'dark';
		variables: Record<string, string>;
		width: number;
		input: Json;
		result: Json;
	}): Promise<void> {
		document.body.replaceChildren();
		const iframe = document.createElement('iframe');
		iframe.setAttribute('sandbox', 'allow-scripts');
		iframe.id = 'card';
		iframe.style.cssText = `width:${options.width}px;height:120px;border:0;display:block`;
		document.body.style.background = options.theme === 'dark' ? '#111014' : '#fafafa';
		document.body.append(iframe);
		const context: McpUiHostContext = {
			theme: options.theme,
			platform: 'web',
			displayMode: 'inline',
			availableDisplayModes: ['inline'],
			styles: { variables: options.variables as never },
		};
		bridge = new AppBridge(
			null,
			{ name: 'clipia-test-host', version: '1' },
			{ openLinks: {}, serverTools: {} },
			{
				hostContext: context,
			},
		);
		const appMayCall = new Set(
			options.tools
				.filter((tool) => {
					const visibility = (tool._meta?.ui as { visibility?: string[] } | undefined)?.visibility;
					return !visibility || visibility.includes('app');
				})
				.map((tool) => tool.name),
		);
		bridge.addEventListener('sizechange', ({ height }) => {
			if (height !== undefined) iframe.style.height = `${height}px`;
		});
		const initialized = new Promise<void>((resolve) => bridge!.addEventListener('initialized', () => resolve()));
		await bridge.connect(new PostMessageTransport(iframe.contentWindow!, iframe.contentWindow!));
		bridge.oncalltool = async (params) => {
			if (!appMayCall.has(params.name)) throw new Error(`The app may not call ${params.name}`);
			return (await window.relayToolCall(params.name, (params.arguments ?? {}) as Json)) as never;
		};
		bridge.onopenlink = async ({ url }) => {
			openedLinks.push(url);
			return {};
		};
		const policy = contentPolicy(options.csp).replace(/"/g, '&quot;');
		iframe.srcdoc = options.html.replace(
			/<head[^>]*>/i,
			(head) => `${head}<meta http-equiv="Content-Security-Policy" content="${policy}">`,
		);
		await initialized;
		await bridge.sendToolInput({ arguments: options.input });
		await bridge.sendToolResult(options.result as never);
	},

	/** What a host does before it removes the card. */
	async teardown(): Promise<void> {
		await bridge?.teardownResource({});
	},
};

window.cardHost = cardHost;
