/**
 * The bridge's icons (MCP `icons`, on the server and on each tool): Clipia's mark for light
 * and for dark backgrounds, as SVG data URIs. They are the n8n nodes' icons/clipia*.svg (a
 * test compares them), kept here so they travel with the package and load from no host.
 */

const FOR_LIGHT =
	'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#5b3df5"/><path d="M40.5 22.5a12 12 0 1 0 0 19" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round"/><circle cx="45" cy="32" r="4" fill="#ffd24a"/></svg>';
const FOR_DARK =
	'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#cfc5ff"/><path d="M40.5 22.5a12 12 0 1 0 0 19" fill="none" stroke="#1d1147" stroke-width="6" stroke-linecap="round"/><circle cx="45" cy="32" r="4" fill="#b8860b"/></svg>';

export interface Icon {
	src: string;
	mimeType: string;
	sizes: string[];
	theme: 'light' | 'dark';
}

const dataUri = (svg: string) => `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;

export const ICONS: Icon[] = [
	{ src: dataUri(FOR_LIGHT), mimeType: 'image/svg+xml', sizes: ['any'], theme: 'light' },
	{ src: dataUri(FOR_DARK), mimeType: 'image/svg+xml', sizes: ['any'], theme: 'dark' },
];
