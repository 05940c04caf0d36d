import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { checkRequestId } from '../../core';
import { planItems, waitForRequests } from '../shared/execute';
import { CLIPIA_ICON } from '../shared/icons';
import {
	binaryOutputOf,
	binaryPropertyNameOption,
	maxConcurrencyOption,
	maxHeldMbOption,
	maxWaitProperty,
	outputProperty,
} from '../shared/properties';
import { waitBuilderHint } from '../shared/builder-hints';
import { CREDENTIAL } from '../shared/transport';
import { resumeOnWebhook, resumeWebhooks, waitModeProperty, webhookNotice } from '../shared/webhook-wait';

export class ClipiaWaitGeneration implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Clipia Wait Generation',
		name: 'clipiaWaitGeneration',
		icon: CLIPIA_ICON,
		group: ['transform'],
		version: 1,
		subtitle: '={{"wait up to " + $parameter["maxWaitSeconds"] + " s"}}',
		description: 'Wait for a Clipia generation by its request_id and get the finished image, video or audio',
		defaults: { name: 'Clipia Wait Generation' },
		usableAsTool: true,
		...waitBuilderHint,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL, required: true }],
		webhooks: resumeWebhooks,
		properties: [
			{
				displayName: 'Request ID',
				name: 'requestId',
				type: 'string',
				default: '={{ $json.request_id }}',
				required: true,
				description: 'The request_id a Clipia Generate node returned (by default, taken from the incoming item)',
			},
			maxWaitProperty(600),
			waitModeProperty(),
			webhookNotice(
				{},
				'Clipia calls this execution only for generations submitted with its resume URL: in the Generate node, Options → Webhook URL = {{ $execution.resumeUrl }}. ',
			),
			outputProperty,
			{
				displayName: 'Fail on Error',
				name: 'failOnError',
				type: 'boolean',
				default: true,
				description:
					'Whether a FAILED or CANCELED generation (or one still running at Max Wait) stops the item with an error. Off: the item carries its status and error instead.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [binaryPropertyNameOption, maxHeldMbOption, maxConcurrencyOption],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const plans = planItems(this, (itemIndex) => ({
			itemIndex,
			job: { requestId: checkRequestId(this.getNodeParameter('requestId', itemIndex)) },
			output: this.getNodeParameter('output', itemIndex) as 'urls' | 'binary',
			binary: binaryOutputOf(this.getNodeParameter('options', itemIndex, {}) as IDataObject),
			maxWaitSeconds: this.getNodeParameter('maxWaitSeconds', itemIndex) as number,
			failOnError: this.getNodeParameter('failOnError', itemIndex) as boolean,
		}));
		return waitForRequests(this, plans);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return resumeOnWebhook.call(this);
	}
}
