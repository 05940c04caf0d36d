import type {
	IExecuteFunctions,
	IWebhookFunctions,
	IWebhookResponseData,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { AUDIO_FIELDS, DEFAULT_MUSIC_MODEL, DEFAULT_SPEECH_MODEL, prepareAudio } from '../../core';
import { generationPlan, planItems, runGenerations } from '../shared/execute';
import { CLIPIA_ICON } from '../shared/icons';
import { modelOptions, voiceOptions } from '../shared/models';
import {
	generationOptions,
	maxWaitProperty,
	outputProperty,
	readFields,
	tableProperties,
	waitForCompletionOn,
} from '../shared/properties';
import { audioBuilderHint } from '../shared/builder-hints';
import { CREDENTIAL } from '../shared/transport';
import { resumeOnWebhook, resumeWebhooks, waitModeProperty, webhookNotice } from '../shared/webhook-wait';

/** Speech takes seconds; music up to a few minutes. */
const maxWait = maxWaitProperty(300);

/** Common lengths; any other through an expression (the model's schema sets the limits). */
const DURATIONS = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180];

const fields = tableProperties(AUDIO_FIELDS, {
	prompt: {
		typeOptions: { rows: 4 },
		placeholder: 'e.g. Welcome back! Here is what is new this week. (speech) — or: calm lo-fi beat, piano (music)',
	},
	model: {
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getAudioModels' },
		default: DEFAULT_SPEECH_MODEL,
		description: `Audio model: speech models read the prompt aloud (e.g. ${DEFAULT_SPEECH_MODEL}), music models make what it describes (e.g. ${DEFAULT_MUSIC_MODEL}). Choose from the list, or specify a model slug using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
	},
	voice: {
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getVoices', loadOptionsDependsOn: ['model'] },
		default: '',
		description:
			'Speech models: the voice to read with, from the model\'s own list. Choose from the list, or specify a voice using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	duration: {
		options: [
			{ name: 'Automatic', value: '', description: "Not sent: the model's own default applies" },
			...DURATIONS.map((seconds) => ({ name: `${seconds} s`, value: seconds })),
		],
	},
	webhook_url: { placeholder: 'e.g. {{ $execution.resumeUrl }} for a Clipia Wait Generation later on' },
});

export class ClipiaGenerateAudio implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Clipia Generate Audio',
		name: 'clipiaGenerateAudio',
		icon: CLIPIA_ICON,
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["model"] || "' + DEFAULT_SPEECH_MODEL + '"}}',
		description: 'Generate speech (text to speech, voice-overs) or music and sound from a text prompt with Clipia',
		defaults: { name: 'Clipia Generate Audio' },
		usableAsTool: true,
		...audioBuilderHint,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL, required: true }],
		webhooks: resumeWebhooks,
		properties: [
			...fields.own,
			waitForCompletionOn,
			waitModeProperty({ waitForCompletion: [true] }),
			webhookNotice({ waitForCompletion: [true] }),
			outputProperty,
			generationOptions(fields.options, maxWait),
		],
	};

	methods = {
		loadOptions: {
			async getAudioModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				// Speech first (the default), then music.
				return modelOptions(this, { type: 'audio' }, [DEFAULT_SPEECH_MODEL, DEFAULT_MUSIC_MODEL], 'text-to-speech');
			},
			async getVoices(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				return voiceOptions(this, String(this.getCurrentNodeParameter('model') ?? '') || DEFAULT_SPEECH_MODEL);
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const plans = planItems(this, (itemIndex) =>
			generationPlan(this, itemIndex, prepareAudio(readFields(this, itemIndex, AUDIO_FIELDS)), maxWait),
		);
		return runGenerations(this, plans);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return resumeOnWebhook.call(this);
	}
}
