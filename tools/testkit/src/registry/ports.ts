/** A free TCP port on loopback, found by letting the kernel pick one for a throwaway listener. */
import { createServer } from 'node:net';

/**
 * A port that was free a moment ago. Another process may take it before the
 * caller binds it, so callers that start a server on it retry on "address in use".
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('loopback listener reported no port'));
      });
    });
  });
}
