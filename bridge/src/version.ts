/** The bridge's version, announced to clients (a test holds it equal to package.json). */
export const BRIDGE_NAME = 'clipia-mcp-bridge';
export const BRIDGE_VERSION = '0.1.0';
