/**
 * Finished media into n8n binary data, streamed: the response stream goes straight into
 * `prepareBinaryData`, which in filesystem (or S3) mode writes it as it comes, so a video of
 * hundreds of MB never sits in memory. n8n's database mode (queue mode's default) and its
 * in-memory mode hold the whole file instead, about 3× its size: there a file above the
 * node's stated size is not downloaded, and the item keeps its URL with a note saying why.
 * Media URLs take no auth and must never see the API key, so this file uses the plain
 * `httpRequest` and never reads credentials.
 */

import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import {
	bytesAreClaimedType,
	lowerCaseHeaders,
	mediaExtension,
	mediaFileName,
	mediaMimeType,
	mediaOf,
	sniffMediaType,
	SNIFF_BYTES,
	type GenerationResult,
} from '../../core';

/** A response body as a stream, of the type `prepareBinaryData` takes (Node's Readable, named without importing it). */
type MediaStream = Extract<Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0], NodeJS.ReadableStream>;

/** What downloading needs: plain requests and binary data (a node's run and its webhook call both have them). */
export interface MediaContext {
	helpers: Pick<IExecuteFunctions['helpers'], 'httpRequest' | 'prepareBinaryData'>;
}

export interface DownloadedMedia {
	binary: IBinaryData;
	bytes: number;
	mimeType: string;
}

/** A file left at its URL: too large for what n8n's binary storage holds in memory. */
export interface SkippedMedia {
	url: string;
	bytes: number;
	mimeType: string;
	/** The sentence for the user. */
	note: string;
}

/**
 * Downloads every media file of a finished result, in output order. `maxHeldBytes` (0: no
 * limit) is the largest file handed to a binary storage that holds whole files in memory.
 */
export async function downloadMedia(
	context: MediaContext,
	result: GenerationResult,
	maxHeldBytes: number,
	signal?: AbortSignal,
): Promise<Array<DownloadedMedia | SkippedMedia>> {
	const files: Array<DownloadedMedia | SkippedMedia> = [];
	const media = mediaOf(result.output);
	for (const [index, item] of media.entries()) {
		const response = (await context.helpers.httpRequest({
			method: 'GET',
			url: item.url,
			encoding: 'stream',
			returnFullResponse: true,
			abortSignal: signal,
			timeout: 600_000,
		})) as { body: MediaStream; headers: Record<string, string | string[] | undefined> };
		const headers = lowerCaseHeaders(response.headers);
		const mimeType = mediaMimeType(headers['content-type'], item.url, item.kind);
		const declared = Number(headers['content-length'] ?? Number.NaN);
		// Only a file larger than the limit, or of unknown size, needs to know where n8n puts it.
		const mayBeTooLarge = maxHeldBytes > 0 && !(declared <= maxHeldBytes);
		if (mayBeTooLarge && (await storageHoldsWholeFiles(context))) {
			response.body.destroy();
			const bytes = Number.isFinite(declared) ? declared : 0;
			files.push({ url: item.url, bytes, mimeType, note: tooLargeNote(bytes || undefined, maxHeldBytes) });
			continue;
		}
		const head = await peek(response.body, SNIFF_BYTES);
		if (!bytesAreClaimedType(mimeType, head)) {
			response.body.destroy();
			const seen = sniffMediaType(head);
			throw new Error(
				`the file at ${new URL(item.url).host} claims to be ${mimeType} but its bytes are ${seen ?? 'no known image, video or audio format'}`,
			);
		}
		const fileName = mediaFileName(result.request_id, index, media.length, mediaExtension(mimeType, item.url));
		const binary = await context.helpers.prepareBinaryData(response.body, fileName, mimeType);
		binary.fileName = fileName;
		files.push({ binary, bytes: sizeOf(binary, headers['content-length']), mimeType });
	}
	return files;
}

/**
 * The first `count` bytes of a stream (fewer if it ends sooner), left in place: they are
 * pushed back, so the whole file still flows on into binary data.
 */
function peek(stream: NodeJS.ReadableStream, count: number): Promise<Buffer> {
	return new Promise((resolvePeek, reject) => {
		const finish = (head: Buffer) => {
			stream.removeListener('readable', onReadable);
			stream.removeListener('error', reject);
			if (head.length) stream.unshift(head);
			resolvePeek(head);
		};
		const onReadable = () => {
			const head = stream.read(count) as Buffer | string | null;
			if (head !== null) finish(Buffer.from(head));
			else if ((stream as NodeJS.ReadableStream & { readableEnded?: boolean }).readableEnded) finish(Buffer.alloc(0));
		};
		stream.on('readable', onReadable);
		stream.once('error', reject);
	});
}

/** n8n reports the stored size as text ("12.3 MB"); the Content-Length is exact. */
function sizeOf(binary: IBinaryData, contentLength: string | undefined): number {
	const exact = Number(contentLength);
	if (Number.isFinite(exact) && exact > 0) return exact;
	if (binary.data && binary.id === undefined) return Math.floor((binary.data.length * 3) / 4);
	return Number.parseInt(String(binary.fileSize ?? '0'), 10) || 0;
}

/**
 * Whether n8n's binary storage in this process holds a whole file in memory on its way in:
 * its database mode (ids `database:…`) and its in-memory mode (no id, base64 data) do; its
 * filesystem and S3 modes stream. A node can't read n8n's settings, so an empty file,
 * stored once per process, shows the mode (the storage is set when n8n starts).
 */
let holdsWholeFiles: Promise<boolean> | undefined;

function storageHoldsWholeFiles(context: MediaContext): Promise<boolean> {
	holdsWholeFiles ??= context.helpers.prepareBinaryData(Buffer.alloc(0), 'storage-check').then(
		(stored) => stored.id === undefined || stored.id.startsWith('database:'),
		() => {
			holdsWholeFiles = undefined;
			return true;
		},
	);
	return holdsWholeFiles;
}

function megabytes(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** `bytes` undefined: the media host sent no Content-Length, so the size can't be known before the download. */
function tooLargeNote(bytes: number | undefined, limit: number): string {
	const size =
		bytes === undefined
			? 'the media host did not say how large the file is, and it may be'
			: `the file is ${megabytes(bytes)},`;
	return (
		`Not downloaded as binary: ${size} over the ${megabytes(limit)} this node lets n8n hold in memory ` +
		`(n8n's database binary storage, used in queue mode, holds a whole file in memory on its way in). ` +
		`Its URL is kept in output; raise Options → Max File Size Held in Memory, or store n8n's binary data in S3.`
	);
}
