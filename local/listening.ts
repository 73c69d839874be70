import { Server } from 'http';

/**
 * Opening and closing the local endpoints' ports. Closed, a port refuses every connection, as an endpoint does that
 * a function has no route to; opened again on the same port, the same endpoint URL works again.
 */

/** Listens on host:port (0: any free port) and answers the port. */
export async function listenOn(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return address.port;
}

/** Stops accepting connections and drops the open ones, answers still pending included. Closing twice is harmless. */
export async function stopListening(server: Server): Promise<void> {
  // The callback also runs (with an error) when the server was not listening.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive sockets from SDK clients would otherwise hold close() open.
  server.closeAllConnections();
  await closed;
}
