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

/** The first bytes `sniffMediaType` needs to tell a type. */
export const SNIFF_BYTES = 16;

const ascii = (bytes: Uint8Array, from: number, text: string): boolean =>
	[...text].every((char, index) => bytes[from + index] === char.charCodeAt(0));

/**
 * What a file's first bytes say it is: PNG, JPEG, WebP, GIF, MP4 / MOV (an ISO `ftyp` box),
 * WebM, MP3 (ID3 or an MPEG frame), WAV; undefined for anything else (HTML, text, …).
 */
export function sniffMediaType(head: Uint8Array): string | undefined {
	if (head[0] === 0x89 && ascii(head, 1, 'PNG\r\n\x1a\n')) return 'image/png';
	if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
	if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'image/webp';
	if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'image/gif';
	if (ascii(head, 4, 'ftyp')) return ascii(head, 8, 'qt  ') ? 'video/quicktime' : 'video/mp4';
	if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'video/webm';
	if (ascii(head, 0, 'ID3') || (head[0] === 0xff && (head[1] & 0xe0) === 0xe0)) return 'audio/mpeg';
	if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return 'audio/wav';
	return undefined;
}

/** Whether bytes that start with `head` are what `mimeType` claims (MP4 and MOV share one container). */
export function bytesAreClaimedType(mimeType: string, head: Uint8Array): boolean {
	const seen = sniffMediaType(head);
	if (seen === mimeType) return true;
	const isoVideo = new Set(['video/mp4', 'video/quicktime']);
	return seen !== undefined && isoVideo.has(seen) && isoVideo.has(mimeType);
}

/**
 * Where a Clipia endpoint's media are served from, as origins (for a viewer's content policy).
 * Clipia serves media from `media.<domain>` beside `api.<domain>`; any other endpoint (the local
 * emulator, a proxy) serves them itself.
 */
export function mediaOrigins(baseUrl: string): string[] {
	const url = new URL(baseUrl);
	const apiHost = /^api\.(.+)$/.exec(url.hostname);
	return apiHost ? [`${url.protocol}//media.${apiHost[1]}`] : [url.origin];
}
