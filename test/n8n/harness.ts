/**
 * Runs our nodes inside n8n's own execution engine (n8n-core's WorkflowExecute), the way
 * n8n tests its nodes: real parameter resolution, real helpers (httpRequest,
 * httpRequestWithAuthentication with the credential's `authenticate`, prepareBinaryData
 * into filesystem binary storage, or another mode chosen first), real continueOnFail, real
 * cancellation.
 * Set up before n8n-core is imported: its settings come from the environment.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const userFolder = mkdtempSync(path.join(os.tmpdir(), 'clipia-n8n-core-'));
process.once('exit', () => rmSync(userFolder, { recursive: true, force: true }));
process.env.N8N_USER_FOLDER = userFolder;
// Filesystem unless a test file chose otherwise before importing this one (binary-held-in-memory).
process.env.N8N_DEFAULT_BINARY_DATA_MODE ??= 'filesystem';
process.env.N8N_ENCRYPTION_KEY = 'test-encryption-key';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded after the environment above is set */
const { Container } = require('@n8n/di') as typeof import('@n8n/di');
const core = require('n8n-core') as typeof import('n8n-core');
const workflowLib = require('n8n-workflow') as typeof import('n8n-workflow');
/* eslint-enable @typescript-eslint/no-require-imports */

import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { ClipiaApi } from '../../credentials/ClipiaApi.credentials';
import { loadNode } from '../helpers/nodes';

export { loadNode };

export const NODE_TYPES = {
	image: 'n8n-nodes-clipia.clipiaGenerateImage',
	video: 'n8n-nodes-clipia.clipiaGenerateVideo',
	wait: 'n8n-nodes-clipia.clipiaWaitGeneration',
	clipia: 'n8n-nodes-clipia.clipia',
	audio: 'n8n-nodes-clipia.clipiaGenerateAudio',
} as const;

const nodeClasses: Record<string, INodeType> = {
	[NODE_TYPES.image]: loadNode('ClipiaGenerateImage'),
	[NODE_TYPES.video]: loadNode('ClipiaGenerateVideo'),
	[NODE_TYPES.wait]: loadNode('ClipiaWaitGeneration'),
	[NODE_TYPES.clipia]: loadNode('Clipia'),
	[NODE_TYPES.audio]: loadNode('ClipiaGenerateAudio'),
};

const nodeTypes: INodeTypes = {
	getByName: (type) => nodeClasses[type],
	getByNameAndVersion: (type) => nodeClasses[type],
	getKnownTypes: () => ({}),
};

/** Applies the credential's declarative `authenticate` (as n8n's credentials helper does). */
class TestCredentialsHelper extends workflowLib.ICredentialsHelper {
	constructor(private readonly data: ICredentialDataDecryptedObject) {
		super();
	}
	getParentTypes() {
		return [];
	}
	async authenticate(credentials: ICredentialDataDecryptedObject, _type: string, request: IHttpRequestOptions) {
		const credential: ICredentialType = new ClipiaApi();
		const generic = credential.authenticate as { properties: { headers: Record<string, string> } };
		const headers: Record<string, string> = {};
		for (const [name, template] of Object.entries(generic.properties.headers)) {
			headers[name] = template
				.replace(/^=/, '')
				.replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_m, key: string) => String(credentials[key] ?? ''));
		}
		return { ...request, headers: { ...request.headers, ...headers } };
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	getCredentialsProperties() {
		return new ClipiaApi().properties;
	}
	async getDecrypted() {
		return this.data;
	}
	async getCredentials() {
		return new core.Credentials({ id: 'clipia', name: 'Clipia account' }, 'clipiaApi', '');
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
}

// What n8n-core starts for a run and stops only at n8n's shutdown (its SSH tunnel manager keeps a
// one-minute cleanup interval): stopped after each test file that ran nodes here, as n8n stops it.
const { SSHClientsManager } =
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	require('n8n-core/dist/execution-engine/ssh-clients-manager') as typeof import('n8n-core/dist/execution-engine/ssh-clients-manager');
/** Stops what n8n-core started for runs and stops only at n8n's shutdown. */
export function stopN8nCore(): void {
	if (Container.has(SSHClientsManager)) Container.get(SSHClientsManager).onShutdown();
}
// Under jest: after each test file that ran nodes here. (The benchmarks load this file too, outside jest.)
if (typeof afterAll === 'function') afterAll(stopN8nCore);

let binaryReady: Promise<void> | undefined;
function binaryStorage(): Promise<void> {
	binaryReady ??= Container.get(core.BinaryDataService).init();
	return binaryReady;
}

export interface NodeRun {
	/** Output items of the node (first output). */
	items: INodeExecutionData[];
	/** The error that stopped the node, if one did. */
	error?: Error & { description?: string; context?: Record<string, unknown> };
	status: IRun['status'];
	run: IRun;
}

export interface RunOptions {
	type: string;
	parameters: Record<string, unknown>;
	input?: Array<{ json: Record<string, unknown> } | INodeExecutionData>;
	credentials: { apiKey: string; baseUrl: string; webhookSecret?: string };
	continueOnFail?: boolean;
	/** Cancels the execution after this many ms (like the Stop button). */
	cancelAfterMs?: number;
}

/** Executes one node in a fresh workflow with the given input items. */
export async function runNode(options: RunOptions): Promise<NodeRun> {
	await binaryStorage();
	const node = {
		id: 'node-under-test',
		name: 'Clipia',
		type: options.type,
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: options.parameters as never,
		credentials: { clipiaApi: { id: 'clipia', name: 'Clipia account' } },
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	const workflow = new workflowLib.Workflow({
		id: 'test-workflow',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
	});
	const hooks = new core.ExecutionLifecycleHooks(
		'manual',
		`exec-${Date.now()}-${Math.random().toString(36).slice(2)}`,
		{
			id: 'test-workflow',
			name: 'test',
			active: false,
			nodes: [node],
			connections: {},
			settings: {},
			createdAt: new Date(),
			updatedAt: new Date(),
			isArchived: false,
			activeVersionId: null,
		} as never,
	);
	const finished = workflowLib.createDeferredPromise<IRun>();
	hooks.addHandler('workflowExecuteAfter', (run) => finished.resolve(run));
	const additionalData = {
		hooks,
		executionId: hooks.executionId,
		credentialsHelper: new TestCredentialsHelper({ ...options.credentials }),
		currentNodeParameters: undefined,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		variables: {},
		userId: 'test-user',
		setExecutionStatus: () => undefined,
		executeWorkflow: async () => ({ data: [], executionId: '' }),
		getRunExecutionData: async () => undefined,
		logAiEvent: () => undefined,
		startRunnerTask: async () => ({ ok: false, error: new Error('no task runner in tests') }),
	} as unknown as IWorkflowExecuteAdditionalData;
	const runData: IRunExecutionData = {
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			waitingExecution: {},
			waitingExecutionSource: null,
			nodeExecutionStack: [
				{ node, data: { main: [(options.input ?? [{ json: {} }]) as INodeExecutionData[]] }, source: null },
			],
		},
	} as unknown as IRunExecutionData;
	const execute = new core.WorkflowExecute(additionalData, 'manual', runData);
	const running = execute.processRunExecutionData(workflow);
	let run: IRun;
	if (options.cancelAfterMs !== undefined) {
		// Like the Stop button: n8n reports the run as soon as it is cancelled.
		setTimeout(() => running.cancel(), options.cancelAfterMs);
		run = await finished.promise;
	} else {
		run = await running;
	}
	const taskData = run.data.resultData.runData.Clipia?.[0];
	return {
		items: taskData?.data?.main?.[0] ?? [],
		error: (taskData?.error ?? run.data.resultData.error) as NodeRun['error'],
		status: run.status,
		run,
	};
}

/** The path of a stored binary file (filesystem mode). */
export function binaryPath(id: string): string {
	return Container.get(core.BinaryDataService).getPath(id);
}

export { userFolder };
