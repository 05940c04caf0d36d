/**
 * Finished media for the model: one small inline preview, and (with CLIPIA_OUTPUT_DIR)
 * files streamed to disk. Media URLs never receive the API key. Files land only inside the
 * output folder, under names built from sanitized parts, whatever the API returns.
 */

import type { AxiosInstance } from 'axios';
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
	bytesAreClaimedType,
	isHttpsOrLocal,
	mediaExtension,
	mediaFileName,
	mediaMimeType,
	sniffMediaType,
	SNIFF_BYTES,
	type MediaKind,
} from '../../core';
import { plainError } from './api-transport';
import { axios } from './lazy-axios';
import type { InlineMedia, MediaHandling, SavedMedia } from './tools';

/** Claude Desktop rejects results over 1 MiB; a preview is a glance (a picture, a few seconds of sound), not the medium. */
export const MAX_PREVIEW_BYTES = 256 * 1024;

export interface MediaOptions {
	outputDir?: string;
	http?: AxiosInstance;
	maxPreviewBytes?: number;
}

export function mediaHandling(options: MediaOptions): MediaHandling {
	const handling: MediaHandling = {
		preview: (url, kind, signal, answerBy) => {
			const limit = timeLimit(signal, Math.min(15_000, answerBy - Date.now()));
			return fetchPreview(
				options.http ?? axios(),
				url,
				kind,
				options.maxPreviewBytes ?? MAX_PREVIEW_BYTES,
				limit.signal,
				limit.ms,
			).finally(limit.end);
		},
	};
	if (options.outputDir) {
		const saver = new MediaSaver(() => options.http ?? axios(), path.resolve(options.outputDir));
		handling.save = (items, requestId, signal, answerBy) => {
			const limit = timeLimit(signal, Math.min(600_000, answerBy - Date.now()));
			return saver.save(items, requestId, limit.signal, limit.ms).finally(limit.end);
		};
	}
	return handling;
}

/**
 * `signal`, also aborted after `ms` with a TimeoutError: it bounds the whole transfer, from
 * the connection to the body's last byte (a media host that stalls before its headers or
 * mid-file cannot hold the call). A plain timer, held until `end`: on Node 20 an
 * `AbortSignal.any` over `AbortSignal.timeout` never fires once a garbage collection ran.
 */
function timeLimit(signal: AbortSignal, ms: number): { signal: AbortSignal; ms: number; end: () => void } {
	const limitMs = Math.max(1, ms);
	const controller = new AbortController();
	const abort = (reason: unknown) => controller.abort(reason);
	const onAbort = () => abort(signal.reason);
	const timer = setTimeout(
		() => abort(new DOMException(`The media transfer took longer than ${limitMs} ms`, 'TimeoutError')),
		limitMs,
	);
	if (signal.aborted) onAbort();
	else signal.addEventListener('abort', onAbort, { once: true });
	return {
		signal: controller.signal,
		ms: limitMs,
		end: () => {
			clearTimeout(timer);
			signal.removeEventListener('abort', onAbort);
		},
	};
}

function refuseUnlessHttpsOrLocal(url: URL, what: string): void {
	if (!isHttpsOrLocal(url)) throw new Error(`Refusing to ${what} a non-https URL (${url.protocol}//${url.host}).`);
}

/** Passes the stream on once its first bytes prove it is `mimeType`; fails the transfer otherwise. */
function verifiedAs(mimeType: string, url: string) {
	return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
		let head = Buffer.alloc(0);
		let proven = false;
		for await (const chunk of source) {
			if (proven) {
				yield chunk;
				continue;
			}
			head = Buffer.concat([head, chunk]);
			if (head.length < SNIFF_BYTES) continue;
			proveType(mimeType, head, url);
			proven = true;
			yield head;
		}
		if (!proven) {
			proveType(mimeType, head, url);
			yield head;
		}
	};
}

function proveType(mimeType: string, head: Buffer, url: string): void {
	if (bytesAreClaimedType(mimeType, head)) return;
	const seen = sniffMediaType(head);
	throw new Error(
		`the file at ${new URL(url).host} claims to be ${mimeType} but its bytes are ${seen ?? 'no known image, video or audio format'}`,
	);
}

async function getStream(http: AxiosInstance, url: string, signal: AbortSignal, timeoutMs: number) {
	refuseUnlessHttpsOrLocal(new URL(url), 'download media from');
	try {
		return await http.get<Readable>(url, {
			responseType: 'stream',
			signal,
			timeout: timeoutMs,
			maxRedirects: 3,
			// Every hop obeys the rule the first URL does: a redirect can't lead to plain http elsewhere.
			beforeRedirect: (options) => refuseUnlessHttpsOrLocal(new URL(String(options.href)), 'follow a redirect to'),
		});
	} catch (error) {
		throw plainError(error);
	}
}

/** The image as base64 when it is an image and no larger than `maxBytes`; else nothing. */
async function fetchPreview(
	http: AxiosInstance,
	url: string,
	kind: InlineMedia['kind'],
	maxBytes: number,
	signal: AbortSignal,
	timeoutMs: number,
): Promise<InlineMedia | undefined> {
	try {
		const response = await getStream(http, url, signal, timeoutMs);
		const stream = response.data;
		const mimeType = mediaMimeType(String(response.headers['content-type'] ?? ''), url, kind);
		const declared = Number(response.headers['content-length']);
		if (!mimeType.startsWith(`${kind}/`) || (Number.isFinite(declared) && declared > maxBytes)) {
			stream.destroy();
			return undefined;
		}
		const chunks: Buffer[] = [];
		let total = 0;
		// The time limit ends the read even if the HTTP client would let a stalled body hang.
		const stop = () => stream.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
		if (signal.aborted) stop();
		signal.addEventListener('abort', stop, { once: true });
		try {
			for await (const chunk of stream as AsyncIterable<Buffer>) {
				total += chunk.length;
				if (total > maxBytes) {
					stream.destroy();
					return undefined;
				}
				chunks.push(chunk);
			}
		} finally {
			signal.removeEventListener('abort', stop);
		}
		const bytes = Buffer.concat(chunks);
		// Never show as a picture (or play) what is not the medium it claims to be (an HTML page, say).
		if (!bytesAreClaimedType(mimeType, bytes.subarray(0, SNIFF_BYTES))) return undefined;
		return { kind, data: bytes.toString('base64'), mimeType };
	} catch {
		// A preview is a courtesy: the URLs in the result are what matters.
		return undefined;
	}
}

class MediaSaver {
	/** Media of a request are immutable: a second wait/get returns the files already saved. */
	private readonly saved = new Map<string, SavedMedia[]>();

	constructor(
		private readonly http: () => AxiosInstance,
		private readonly dir: string,
	) {}

	async save(
		items: Array<{ kind: MediaKind; url: string }>,
		requestId: string,
		signal: AbortSignal,
		timeoutMs: number,
	): Promise<SavedMedia[]> {
		const known = this.saved.get(requestId);
		if (known && (await allExist(known))) return known;
		await fs.mkdir(this.dir, { recursive: true });
		const files: SavedMedia[] = [];
		for (const [index, item] of items.entries())
			files.push(await this.saveOne(item, requestId, index, items.length, signal, timeoutMs));
		this.saved.set(requestId, files);
		return files;
	}

	private async saveOne(
		item: { kind: MediaKind; url: string },
		requestId: string,
		index: number,
		count: number,
		signal: AbortSignal,
		timeoutMs: number,
	) {
		const response = await getStream(this.http(), item.url, signal, timeoutMs);
		const mimeType = mediaMimeType(String(response.headers['content-type'] ?? ''), item.url, item.kind);
		const name = mediaFileName(requestId, index, count, mediaExtension(mimeType, item.url));
		const partial = this.inside(`.${name}.${randomBytes(6).toString('hex')}.part`);
		let bytes = 0;
		response.data.on('data', (chunk: Buffer) => (bytes += chunk.length));
		const writer = createWriteStream(partial, { flags: 'wx', mode: 0o644 });
		try {
			await pipeline(response.data, verifiedAs(mimeType, item.url), writer, { signal });
			const finalPath = await this.publish(partial, name);
			return { path: finalPath, mime_type: mimeType, bytes };
		} finally {
			// A stream that failed early may still be opening its file: removing it before it
			// has closed would leave the part file behind. Destroying it (again) makes sure the
			// close comes, whatever state the failed pipeline left it in.
			if (!writer.closed) {
				const closed = new Promise<void>((resolve) => writer.once('close', () => resolve()));
				writer.destroy();
				await closed;
			}
			await fs.rm(partial, { force: true });
		}
	}

	/** Links the finished file under its name, or name_2, name_3…: never over another file. */
	private async publish(partial: string, name: string): Promise<string> {
		const dot = name.lastIndexOf('.');
		for (let attempt = 1; attempt < 1000; attempt++) {
			const candidate = this.inside(attempt === 1 ? name : `${name.slice(0, dot)}_${attempt}${name.slice(dot)}`);
			try {
				await fs.link(partial, candidate);
				return candidate;
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			}
		}
		throw new Error(`Could not find a free file name for ${name} in the output folder.`);
	}

	private inside(name: string): string {
		const full = path.resolve(this.dir, name);
		if (path.dirname(full) !== this.dir) throw new Error('Refusing to write outside the output folder.');
		return full;
	}
}

async function allExist(files: SavedMedia[]): Promise<boolean> {
	const stats = await Promise.all(files.map((file) => fs.stat(file.path).catch(() => undefined)));
	return stats.every((stat, index) => stat?.isFile() && stat.size === files[index].bytes);
}
