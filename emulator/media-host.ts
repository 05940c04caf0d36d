/**
 * The media host: the URLs a finished job's output names (as media.clipia.ai would serve
 * them), and serving them with real bytes: PNG and WebP of the reported size, a playable MP4.
 */

import type { ServerResponse } from 'node:http';
import { directivesOf, type Job } from './jobs';
import { mp3, mp4Size, mp4Stream, png, webp } from './media';

/** `output` of a COMPLETED job, its media under `base` (…/media). */
export function outputOf(job: Job, base: string, videoBytes: number): Record<string, unknown> {
	const id = job.sandbox ? 'sample' : job.id;
	if (job.model.type === 'image') {
		const [width, height] = imageSize(String(job.input.resolution ?? '1k'), String(job.input.aspect_ratio ?? '1:1'));
		const asked = job.sandbox ? 1 : Number(job.input.num_images ?? 1);
		if (job.model.tilesVariants && asked > 1) {
			// All variants side by side in one image.
			const columns = Math.ceil(Math.sqrt(asked));
			const [w, h] = [width * columns, height * Math.ceil(asked / columns)];
			return {
				images: [
					{ url: `${base}/${id}/0-${w}x${h}.webp`, original_url: `${base}/${id}/0-${w}x${h}.png`, width: w, height: h },
				],
			};
		}
		return {
			images: Array.from({ length: asked }, (_, n) => ({
				url: `${base}/${id}/${n}-${width}x${height}.webp`,
				original_url: `${base}/${id}/${n}-${width}x${height}.png`,
				width,
				height,
			})),
		};
	}
	if (job.model.type === 'video') {
		const [width, height] = videoSize(String(job.input.resolution ?? '720p'), String(job.input.aspect_ratio ?? '16:9'));
		return {
			video: { url: `${base}/${id}/video-${videoBytes}.mp4`, width, height, duration: Number(job.input.duration ?? 5) },
		};
	}
	return { audio: { url: `${base}/${id}/audio.mp3`, duration: Number(job.input.duration ?? 30) } };
}

/** Answers `GET /media/<id>/<file>`; `job` is the job the file belongs to, when there is one. */
export function serveMedia(path: string, job: Job | undefined, res: ServerResponse): void {
	const name = path.split('/').pop() ?? '';
	const id = path.split('/').slice(-2)[0];
	if (directivesOf(job?.input.prompt).badMedia) {
		// A media host that answers with a page, under the Content-Type the file would have.
		const type = name.endsWith('.mp4')
			? 'video/mp4'
			: name.endsWith('.mp3')
				? 'audio/mpeg'
				: `image/${name.split('.').pop()}`;
		res.writeHead(200, { 'Content-Type': type });
		res.end('<!doctype html><html><body>Access denied</body></html>');
		return;
	}
	let match = name.match(/^(\d+)-(\d+)x(\d+)\.(png|webp)$/);
	if (match) {
		const [, n, w, h, ext] = match;
		const prompt = id === 'sample' ? 'Clipia sample image' : String(job?.input.prompt ?? '');
		const bytes = ext === 'png' ? png(Number(w), Number(h), Number(n), prompt) : webp(Number(w), Number(h), Number(n));
		res.writeHead(200, { 'Content-Type': `image/${ext}`, 'Content-Length': bytes.length });
		res.end(bytes);
		return;
	}
	match = name.match(/^video-(\d+)\.mp4$/);
	if (match) {
		const size = mp4Size(Number(match[1]));
		res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': size });
		const stream = mp4Stream(size);
		stream.pipe(res);
		res.on('close', () => stream.destroy());
		return;
	}
	if (name === 'audio.mp3') {
		const bytes = mp3();
		res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': bytes.length });
		res.end(bytes);
		return;
	}
	res.writeHead(404, { 'Content-Type': 'text/plain' });
	res.end('not found');
}

function imageSize(resolution: string, aspect: string): [number, number] {
	const size = resolution.toLowerCase();
	const long = size === '4k' ? 4096 : size === '2k' ? 2048 : 1024;
	const [w, h] = aspect.split(':').map(Number);
	if (!w || !h) return [long, long];
	return w >= h ? [long, Math.round((long * h) / w)] : [Math.round((long * w) / h), long];
}

function videoSize(resolution: string, aspect: string): [number, number] {
	const short = resolution === '1080p' ? 1080 : resolution === '480p' ? 480 : 720;
	const [w, h] = aspect.split(':').map(Number);
	if (!w || !h) return [short, short];
	return w >= h ? [Math.round((short * w) / h), short] : [short, Math.round((short * h) / w)];
}
