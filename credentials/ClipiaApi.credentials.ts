import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class ClipiaApi implements ICredentialType {
	name = 'clipiaApi';

	displayName = 'Clipia API';

	icon: Icon = { light: 'file:../icons/clipia.svg', dark: 'file:../icons/clipia.dark.svg' };

	documentationUrl = 'https://clipia.ai/docs/api';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Your Clipia API key from clipia.ai (Developer → API keys). Keys starting with clipia_test_ use the free sandbox; clipia_live_ keys generate for real and spend credits.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.clipia.ai',
			description:
				'Leave as is, unless you go through a proxy or a local Clipia emulator (http is allowed only for localhost)',
		},
		{
			displayName: 'Webhook Signing Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Needed only for Wait Mode "Resume on Clipia Webhook": the secret Clipia signs its webhooks with (developer console → Webhooks), so forged or replayed calls cannot resume a workflow',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{($credentials.baseUrl || "https://api.clipia.ai").trim().replace(/\\/+$/, "")}}',
			url: '/v1/account',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'Clipia did not accept this API key: check that it is complete and not revoked',
				},
			},
			{
				type: 'responseCode',
				properties: { value: 403, message: 'This API key is not allowed to read the account' },
			},
		],
	};
}
