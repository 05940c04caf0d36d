import { AUDIO_FIELDS, DEFAULT_MUSIC_MODEL, DEFAULT_SPEECH_MODEL, generateAudio } from '../../../core';
import { presentGeneration, progressReporter } from './finish';
import { argumentsFromFields, generationResultShape, includePreviewArgument, waitSecondsArgument } from './schemas';
import { contextOf, defineTool, SPENDS_CREDITS } from './tool';

const DEFAULT_WAIT_SECONDS = 25;

export const generateAudioTool = defineTool({
	name: 'generate_audio',
	title: 'Generate audio',
	description:
		`Generate speech or music with Clipia. The model decides which: ${DEFAULT_SPEECH_MODEL} (the default) reads the prompt aloud, ` +
		`for a voice-over or narration (voice picks the speaker); ${DEFAULT_MUSIC_MODEL} makes the music or sound effect the prompt describes ` +
		'(duration in seconds). list_models with type "audio" lists the others. Spends credits (see estimate_cost). Waits up to wait_seconds: ' +
		'a finished result has the MP3 URL, and a short clip also comes inline; if it is still running, the answer has request_id and next_step: ' +
		'call wait_generation with that request_id.',
	input: {
		...argumentsFromFields(AUDIO_FIELDS),
		include_preview: includePreviewArgument,
		wait_seconds: waitSecondsArgument(DEFAULT_WAIT_SECONDS),
	},
	output: generationResultShape,
	annotations: SPENDS_CREDITS,
	card: 'shown',
	waitSeconds: ({ wait_seconds }) => wait_seconds ?? DEFAULT_WAIT_SECONDS,
	async run({ include_preview, wait_seconds, ...params }, call) {
		const result = await generateAudio(contextOf(call), params, {
			waitSeconds: wait_seconds ?? DEFAULT_WAIT_SECONDS,
			onUpdate: progressReporter(call),
		});
		return presentGeneration(result, call, include_preview);
	},
});
