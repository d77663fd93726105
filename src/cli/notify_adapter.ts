/**
 * NotifyPort over notify/socket.ts: one filesystem datagram socket per notify service, in the
 * runtime notify directory, owned by the service's user (Decision 9 in docs/migration.md).
 */
import { openNotifySocket } from "../notify/socket.ts";
import { notifySocketPath } from "../notify/socket_path.ts";
import type { NotifyChannel, NotifyPort } from "../supervisor/ports.ts";

/** Opens `<dir>/<service>.sock` (shortened when too long: socket_path.ts) for each notify service. */
export function realNotify(dir: string): NotifyPort {
  return {
    async open(service, owner) {
      Deno.mkdirSync(dir, { recursive: true, mode: 0o755 });
      const socket = openNotifySocket(await notifySocketPath(dir, service), {
        ...(owner.uid !== undefined ? { uid: owner.uid } : {}),
        ...(owner.gid !== undefined ? { gid: owner.gid } : {}),
      });
      const channel: NotifyChannel = {
        path: socket.path,
        messages: socket,
        close: () => {
          socket.close().catch(() => {});
        },
      };
      return channel;
    },
  };
}
