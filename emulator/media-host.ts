/**
 * The media host: the URLs a finished job's output names (as media.clipia.ai would serve
 * them), and serving them with real bytes: PNG and WebP of the reported size, a playable
 * MP4, and MP3 speech or music of the reported length.
 */

import type { ServerResponse } from 'node:http';
import { music, speech, speechSeconds, type Audio } from './audio';
import { AUDIO_FILE, audioOutput } from './catalog';
import { directivesOf, type Job } from './jobs';
import { mp4Size, mp4Stream, png, webp } from './media';

/** What the sandbox's fixed samples say and play (a sandbox job's media are under `sample`). */
const SAMPLE_SPEECH = 'This is a sample from the Clipia sandbox.';
const SAMPLE_MUSIC = 'Clipia sample music';

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
	// Audio: the file name carries the settings, the job (or the sample) the words.
	const setting = (field: string): unknown => job.input[field] ?? job.model.inputSchema[field]?.default;
	if (job.model.audioKind === 'speech') {
		const voice = String(setting('voice') ?? '');
		const speed = Number(setting('speed') ?? 1);
		const name = `speech-${encodeURIComponent(voice)}-${speed}.${AUDIO_FILE.extension}`;
		return audioOutput(`${base}/${id}/${name}`, speechSeconds(audioText(id, 'speech', job), { voice, speed }));
	}
	// Music: the asked length (the file is within half a frame, 12 ms, of it).
	const seconds = Number(setting('duration') ?? 30);
	return audioOutput(`${base}/${id}/music-${seconds}.${AUDIO_FILE.extension}`, seconds);
}

/** The words to speak (or the music's prompt) of a job, without the emulator's test directives. */
function audioText(id: string, kind: 'speech' | 'music', job: Job | undefined): string {
	if (id === 'sample') return kind === 'speech' ? SAMPLE_SPEECH : SAMPLE_MUSIC;
	return String(job?.input.prompt ?? '')
		.replace(/\[emulator:[^\]]*\]/gi, ' ')
		.trim();
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
	match = name.match(/^speech-(.*)-(\d+(?:\.\d+)?)\.mp3$/);
	if (match && (job || id === 'sample')) {
		const voice = decodeURIComponent(match[1]);
		return sendAudio(res, speech(audioText(id, 'speech', job), { voice, speed: Number(match[2]) }));
	}
	match = name.match(/^music-(\d+(?:\.\d+)?)\.mp3$/);
	if (match && (job || id === 'sample')) return sendAudio(res, music(audioText(id, 'music', job), Number(match[1])));
	res.writeHead(404, { 'Content-Type': 'text/plain' });
	res.end('not found');
}

function sendAudio(res: ServerResponse, audio: Audio): void {
	res.writeHead(200, { 'Content-Type': AUDIO_FILE.contentType, 'Content-Length': audio.bytes.length });
	res.end(audio.bytes);
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
