/** Imported before the harness: n8n-core then keeps binary data in memory, as its database mode does on the way in. */
process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'default';
