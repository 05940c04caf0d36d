/**
 * Binary output where n8n holds a whole file in memory on its way into storage: its
 * in-memory mode here, its database mode in queue mode (test/scale). A file over Max File
 * Size Held in Memory is not downloaded: the item keeps the URL and a note says why.
 * n8n-core's engine, the emulator over real HTTP.
 */

import './in-memory-binary-storage';

import { keyMaker, useEmulator } from '../helpers/emulator';
import { NODE_TYPES, runNode } from './harness';

const VIDEO_BYTES = 3 * 1024 * 1024;
const emulator = useEmulator({
	timeScale: 20,
	runSeconds: { image: 4, video: 20 },
	videoBytes: VIDEO_BYTES,
	wallClockHeaders: true,
});
const freshKey = keyMaker(emulator, 'n8n-held', { credits: 5_000 });
const credentials = (apiKey: string) => ({ apiKey, baseUrl: emulator.url });

async function videoWith(options: Record<string, unknown>) {
	const key = freshKey();
	return runNode({
		type: NODE_TYPES.video,
		credentials: credentials(key),
		parameters: { prompt: 'waves', waitForCompletion: true, output: 'binary', options },
	});
}

it('a video over the limit keeps its URL and says why; nothing is held', async () => {
	const run = await videoWith({ maxHeldMb: 1 });
	expect(run.error).toBeUndefined();
	const [item] = run.items;
	expect(item.binary).toBeUndefined();
	expect(item.json).toMatchObject({
		status: 'COMPLETED',
		output: { video: { url: expect.stringMatching(/\.mp4$/) } },
		files: [
			{ binary_property: null, url: expect.stringMatching(/\.mp4$/), mime_type: 'video/mp4', bytes: VIDEO_BYTES },
		],
	});
	expect(item.json.note).toBe(
		'Not downloaded as binary: the file is 3.0 MB, over the 1.0 MB this node lets n8n hold in memory ' +
			"(n8n's database binary storage, used in queue mode, holds a whole file in memory on its way in). " +
			"Its URL is kept in output; raise Options → Max File Size Held in Memory, or store n8n's binary data in S3.",
	);
});

it('under the limit (the default 20 MB), or with no limit (0), the file is downloaded into binary data', async () => {
	for (const options of [{}, { maxHeldMb: 0 }]) {
		const run = await videoWith(options);
		expect(run.error).toBeUndefined();
		const [item] = run.items;
		expect(item.json.note).toBeUndefined();
		expect(item.binary!.data).toMatchObject({ mimeType: 'video/mp4' });
		// In memory: the file is the item's base64 data.
		expect(Buffer.from(item.binary!.data.data, 'base64').length).toBe(VIDEO_BYTES);
	}
});
