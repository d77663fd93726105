/** InetdPort over src/inetd/, loaded by lazy_ports.ts only when a run has an inetd service. */
import type { Spawner } from "../process/spawn.ts";
import type { Reaper } from "../process/reaper.ts";
import type { InetdPort } from "../supervisor/ports.ts";
import { serveInetd } from "../inetd/serve_inetd.ts";

/**
 * InetdPort over src/inetd/: each accepted socket itself becomes the fds 0, 1 and 2 of its
 * connection's command (docs/configuration.md, "inetd services").
 */
export function realInetd(spawner: Spawner, reaper?: Pick<Reaper, "subscribe">): InetdPort {
  return {
    listen: (port, onConnection) => serveInetd(port, onConnection, { spawner, reaper }),
  };
}
