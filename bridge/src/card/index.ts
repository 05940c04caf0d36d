/**
 * The generation card as an MCP Apps resource (extension io.modelcontextprotocol/ui,
 * 2026-01-26): the `ui://` resource hosts render beside the tools that declare it, and what
 * those declarations say. The card itself is bridge/card/ (built into ./viewer-html).
 */

import { mediaOrigins } from '../../../core';
import { VIEWER_HTML } from './viewer-html';

export const CARD_URI = 'ui://clipia/generation';
/** The MIME type MCP Apps hosts render. */
export const CARD_MIME_TYPE = 'text/html;profile=mcp-app';

/** How a tool appears with the card: beside it (`shown`), or as the card's own (`app-only`, hidden from the model). */
export type CardRole = 'shown' | 'app-only';

/** A tool's `_meta` for its card role (the spec's `ui` object, and the older flat key hosts still read). */
export function cardToolMeta(role: CardRole): Record<string, unknown> {
	return {
		ui: { resourceUri: CARD_URI, visibility: role === 'app-only' ? ['app'] : ['model', 'app'] },
		'ui/resourceUri': CARD_URI,
	};
}

/**
 * The card's content. Its content policy lets it load images, video and audio from the
 * endpoint's media origin alone (Clipia's media host; the emulator itself when local): it
 * fetches nothing and talks only to its host.
 */
export function cardResource(baseUrl: string) {
	return {
		contents: [
			{
				uri: CARD_URI,
				mimeType: CARD_MIME_TYPE,
				text: VIEWER_HTML,
				_meta: {
					ui: {
						csp: { resourceDomains: mediaOrigins(baseUrl), connectDomains: [] },
						permissions: { clipboardWrite: {} },
						prefersBorder: false,
					},
				},
			},
		],
	};
}
