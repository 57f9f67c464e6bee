import { startRegistry } from '@ocikit/testkit/registry';
const r = await startRegistry();
console.log(r.host);
process.on('SIGTERM', async () => { await r.stop(); process.exit(0); });
setInterval(() => {}, 1000);
