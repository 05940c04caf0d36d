/**
 * Naming and typing of downloaded media, shared by every surface: n8n binary data and
 * the bridge's files get the same names, extensions and MIME types.
 */

const MIME_BY_EXTENSION: Record<string, string> = {
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
	gif: 'image/gif',
	mp4: 'video/mp4',
	webm: 'video/webm',
	mov: 'video/quicktime',
	mp3: 'audio/mpeg',
	wav: 'audio/wav',
};

const EXTENSION_BY_MIME: Record<string, string> = Object.fromEntries(
	Object.entries(MIME_BY_EXTENSION).map(([extension, mime]) => [mime, extension === 'jpeg' ? 'jpg' : extension]),
);

const FALLBACK_MIME = { image: 'image/png', video: 'video/mp4', audio: 'audio/mpeg' } as const;

export type MediaKind = keyof typeof FALLBACK_MIME;

/** The MIME type of a downloaded file: the server's Content-Type, else the URL's extension. */
export function mediaMimeType(contentType: string | undefined, url: string, kind: MediaKind): string {
	const header = (contentType ?? '').split(';')[0].trim().toLowerCase();
	if (/^[a-z]+\/[a-z0-9.+-]+$/.test(header) && header !== 'application/octet-stream') return header;
	return MIME_BY_EXTENSION[urlExtension(url)] ?? FALLBACK_MIME[kind];
}

/** A file extension for the MIME type: only known, plain extensions, never the API's text. */
export function mediaExtension(mimeType: string, url: string): string {
	const known = EXTENSION_BY_MIME[mimeType];
	if (known) return known;
	const fromUrl = urlExtension(url);
	return MIME_BY_EXTENSION[fromUrl] ? fromUrl : 'bin';
}

/**
 * `clipia-<request_id>[-n].<ext>`: the request_id reduced to safe characters, so a file
 * name can never climb out of its folder whatever the API returns.
 */
export function mediaFileName(requestId: string, index: number, count: number, extension: string): string {
	const id = requestId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100) || 'generation';
	const suffix = count > 1 ? `-${index + 1}` : '';
	return `clipia-${id}${suffix}.${extension.replace(/[^a-z0-9]/g, '') || 'bin'}`;
}

function urlExtension(url: string): string {
	try {
		const last = new URL(url).pathname.split('/').pop() ?? '';
		return last.includes('.') ? (last.split('.').pop() ?? '').toLowerCase() : '';
	} catch {
		return '';
	}
}
