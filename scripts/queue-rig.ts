/**
 * n8n in queue mode, the way users scale it, on this machine: Redis and Postgres (from
 * Debian's packages, installed when missing) on free loopback ports with throwaway data, an
 * n8n main process and worker processes, all with the freshly built package installed and
 * the Clipia emulator behind the "Clipia account" credential. Everything stops with `stop()`.
 */

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipiaEmulator, DEMO_KEYS, type EmulatorOptions } from '../emulator/server';
import { importAndPublish } from './local-n8n';
import { ensureSystemPrograms, findProgram } from './system-packages';
import {
	capture,
	ensureN8n,
	freePort,
	prepareUserFolder,
	spawnN8n,
	waitUntilReady,
	type Log,
	type N8nRuntime,
} from './n8n-runtime';

/** Postgres refuses to run as root: as root, it runs as Debian's `postgres` user. */
function asDatabaseUser(command: string, args: string[]): [string, string[]] {
	return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

export interface QueueRigOptions {
	line: string;
	workers: number;
	/** Executions a worker runs at once. */
	workerConcurrency?: number;
	emulator?: EmulatorOptions;
	/** Workflow JSON objects to import and publish (production webhooks). */
	workflows: Array<Record<string, unknown>>;
	/** More n8n settings for every process (e.g. how soon a dead worker's job counts as stalled). */
	env?: Record<string, string>;
	log?: Log;
}

export interface WorkerProcess {
	name: string;
	process: ChildProcess;
	/** The end of what it printed (n8n logs each execution it starts). */
	output: () => string;
}

/** Keeps the last `limit` characters a child prints. */
function tail(child: ChildProcess, limit = 256 * 1024): () => string {
	let said = '';
	const keep = (chunk: Buffer) => (said = (said + chunk.toString()).slice(-limit));
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	return () => said;
}

export class QueueRig {
	readonly emulator: ClipiaEmulator;
	url = '';
	readonly workers: WorkerProcess[] = [];
	private main?: ChildProcess;
	private mainPort = 0;
	private redis?: ChildProcess;
	private redisPort = 0;
	private pgData = '';
	private pgPort = 0;
	private readonly root = mkdtempSync(join(tmpdir(), 'clipia-queue-rig-'));
	private readonly folder = join(this.root, 'n8n');
	private runtime?: N8nRuntime;
	private env: Record<string, string> = {};
	private readonly log: Log;

	constructor(private readonly options: QueueRigOptions) {
		this.emulator = new ClipiaEmulator(options.emulator ?? {});
		this.log = options.log ?? (() => undefined);
	}

	async start(): Promise<void> {
		ensureSystemPrograms(['redis-server', 'redis-cli', 'initdb', 'pg_ctl', 'psql'], this.log);
		this.runtime = await ensureN8n(this.options.line, this.log);
		await this.emulator.start(await freePort());
		const redisPort = (this.redisPort = await freePort());
		const pgPort = (this.pgPort = await freePort());
		await this.startRedis(redisPort);
		this.startPostgres(pgPort);
		const port = await freePort();
		this.env = {
			// Every process must know the address Clipia calls back (a worker computes resume URLs).
			WEBHOOK_URL: `http://localhost:${port}/`,
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pgPort),
			DB_POSTGRESDB_DATABASE: 'postgres',
			DB_POSTGRESDB_USER: 'n8n',
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
			// Queue mode has no filesystem binary storage: n8n's own default there.
			N8N_DEFAULT_BINARY_DATA_MODE: 'database',
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			...this.options.env,
		};
		prepareUserFolder(this.folder);
		await this.importAndPublish();
		this.mainPort = port;
		await this.startMain();
		for (let n = 1; n <= this.options.workers; n++) await this.startWorker(`worker ${n}`);
	}

	private async startMain(): Promise<void> {
		this.main = spawnN8n(this.runtime!, this.folder, ['start'], {
			...this.env,
			N8N_PORT: String(this.mainPort),
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		});
		this.url = `http://localhost:${this.mainPort}`;
		await waitUntilReady(this.url, this.main, 'n8n main');
	}

	/** The main process dies (SIGKILL, as a crash or a deploy does) and starts again on its address. */
	async restartMain(): Promise<void> {
		const main = this.main!;
		const exited = new Promise((resolvePromise) => main.once('exit', resolvePromise));
		main.kill('SIGKILL');
		await exited;
		await this.startMain();
	}

	/** The live worker that started execution `id` (from n8n's log line), if any. */
	workerRunning(id: string): WorkerProcess | undefined {
		return this.workers.find(
			(worker) =>
				worker.process.exitCode === null &&
				worker.process.signalCode === null &&
				new RegExp(`Worker started execution ${id}\\b`).test(worker.output()),
		);
	}

	/** Executions workers hold right now: the length of n8n's Bull queue of active jobs, read from Redis. */
	activeJobs(): number {
		const answer = spawnSync(
			findProgram('redis-cli') ?? 'redis-cli',
			['-p', String(this.redisPort), 'LLEN', 'bull:jobs:active'],
			{
				encoding: 'utf8',
			},
		);
		if (answer.status !== 0) throw new Error(`redis-cli failed: ${answer.stderr}`);
		return Number(answer.stdout.trim());
	}

	/** One SQL query on n8n's Postgres database; rows as lines, columns split by `|`. */
	query(sql: string): string[][] {
		const answer = spawnSync(
			findProgram('psql') ?? 'psql',
			['-h', '127.0.0.1', '-p', String(this.pgPort), '-U', 'n8n', '-d', 'postgres', '-tAc', sql],
			{ encoding: 'utf8' },
		);
		if (answer.status !== 0) throw new Error(`psql failed: ${answer.stderr}`);
		return answer.stdout
			.trim()
			.split('\n')
			.filter(Boolean)
			.map((line) => line.split('|'));
	}

	/** Starts one more worker (e.g. after one was killed). */
	async startWorker(name: string): Promise<WorkerProcess> {
		const healthPort = await freePort();
		const worker = spawnN8n(
			this.runtime!,
			this.folder,
			['worker', `--concurrency=${this.options.workerConcurrency ?? 10}`],
			{
				...this.env,
				N8N_RUNNERS_BROKER_PORT: String(await freePort()),
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			},
		);
		const output = tail(worker);
		await waitUntilReady(`http://127.0.0.1:${healthPort}`, worker, `n8n ${name}`, ['/healthz/readiness']);
		const entry = { name, process: worker, output };
		this.workers.push(entry);
		return entry;
	}

	async stop(): Promise<void> {
		const children = [this.main, ...this.workers.map((worker) => worker.process), this.redis];
		await Promise.all(
			children.map(
				(child) =>
					new Promise<void>((resolvePromise) => {
						if (!child || child.exitCode !== null || child.signalCode !== null) return resolvePromise();
						child.once('exit', () => resolvePromise());
						child.kill('SIGTERM');
						setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
					}),
			),
		);
		if (this.pgData) {
			const [command, args] = asDatabaseUser(findProgram('pg_ctl')!, ['-D', this.pgData, '-m', 'fast', 'stop']);
			spawnSync(command, args, { stdio: 'ignore' });
		}
		await this.emulator.stop();
		rmSync(this.root, { recursive: true, force: true });
	}

	private async startRedis(port: number): Promise<void> {
		this.redis = spawn(
			findProgram('redis-server')!,
			['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.root],
			{ stdio: ['ignore', 'pipe', 'pipe'] },
		);
		// Ready when it answers PING (redis-cli), or an error with what it said when it exits first.
		const redis = this.redis;
		let said = '';
		redis.stdout?.on('data', (chunk: Buffer) => (said = (said + chunk.toString()).slice(-2000)));
		const deadline = Date.now() + 30_000;
		for (;;) {
			if (redis.exitCode !== null)
				throw new Error(`Redis stopped before it was ready (exit ${redis.exitCode}):\n${said}`);
			const ping = spawnSync(findProgram('redis-cli') ?? 'redis-cli', ['-p', String(port), 'PING'], {
				encoding: 'utf8',
			});
			if (ping.stdout?.trim() === 'PONG') return;
			if (Date.now() > deadline) throw new Error(`Redis was not ready in 30 s:\n${said}`);
			await new Promise((resolvePromise) => setTimeout(resolvePromise, 200));
		}
	}

	private startPostgres(port: number): void {
		this.pgData = join(this.root, 'postgres');
		mkdirSync(this.pgData);
		// Throwaway: the data folder and its socket belong to whoever runs the server.
		chmodSync(this.root, 0o755);
		if (process.getuid?.() === 0) execFileSync('chown', ['postgres', this.pgData]);
		const run = (program: string, args: string[]) => {
			const [command, fullArgs] = asDatabaseUser(findProgram(program)!, args);
			const result = spawnSync(command, fullArgs, { encoding: 'utf8' });
			if (result.status !== 0) throw new Error(`${program} failed: ${result.stderr || result.stdout}`);
		};
		run('initdb', ['-D', this.pgData, '-U', 'n8n', '--auth=trust', '-E', 'UTF8']);
		run('pg_ctl', [
			'-D',
			this.pgData,
			'-o',
			`-p ${port} -k ${this.pgData} -c listen_addresses=127.0.0.1 -c fsync=off`,
			'-l',
			join(this.pgData, 'log.txt'),
			'-w',
			'start',
		]);
	}

	/** The credential for the emulator, then the rig's workflows, published. */
	private async importAndPublish(): Promise<void> {
		const credentials = join(this.root, 'credentials.json');
		writeFileSync(
			credentials,
			JSON.stringify([
				{
					id: 'clipiaCredential1',
					name: 'Clipia account',
					type: 'clipiaApi',
					data: {
						apiKey: DEMO_KEYS.live,
						baseUrl: this.emulator.url,
						webhookSecret: this.emulator.options.webhookSecret,
					},
				},
			]),
		);
		const imported = await capture(
			this.runtime!,
			this.folder,
			['import:credentials', `--input=${credentials}`],
			this.env,
		);
		if (imported.code !== 0)
			throw new Error(`n8n import:credentials failed: ${(imported.stderr || imported.stdout).slice(-800)}`);
		await importAndPublish(this.runtime!, this.folder, this.options.workflows, this.env);
	}
}
