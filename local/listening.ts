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

/**
 * A server's reachability, switched in order: each switch waits for the one before it, so that switching off
 * while a switch on is still opening the port (or the other way round) ends in the state asked for last.
 */
export class Reachability {
  private reachable = true;
  private closed = false;
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly server: Server, private readonly host: string, private readonly port: () => number) {}

  public set(reachable: boolean): Promise<void> {
    this.last = this.last.then(async () => {
      if (this.closed || reachable === this.reachable) return;
      this.reachable = reachable;
      if (reachable) await listenOn(this.server, this.host, this.port());
      else await stopListening(this.server);
    });
    return this.last;
  }

  /** For stop(): the port is closed for good; later switches do nothing. */
  public async close(): Promise<void> {
    await this.set(false);
    this.closed = true;
  }
}
