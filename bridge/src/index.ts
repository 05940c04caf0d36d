/** The bridge as a library: what tests and embedders use without spawning the CLI. */
export { createClient, apiTransport } from './api-transport';
export { startHttpServer, type HttpOptions, type RunningHttpServer } from './http-server';
export { mediaHandling, MAX_PREVIEW_BYTES } from './media';
export { errorResult, successResult } from './results';
export { createBridgeServer, serveStdio, type BridgeEnvironment, type BridgeServer } from './sdk';
export { TOOLS } from './tools';
export { BRIDGE_NAME, BRIDGE_VERSION } from './version';
