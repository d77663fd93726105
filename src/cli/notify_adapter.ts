/**
 * NotifyPort over notify/socket.ts: one filesystem datagram socket per notify service, in the
 * runtime notify directory, owned by the service's user (Decision 9 in docs/migration.md).
 */
import { openNotifySocket } from "../notify/socket.ts";
import { notifySocketPath } from "../notify/socket_path.ts";
import type { NotifyChannel, NotifyMessage, NotifyPort } from "../supervisor/ports.ts";

/** Opens `<dir>/<service>.sock` (shortened when too long: socket_path.ts) for each notify service. */
export function realNotify(dir: string): NotifyPort {
  return {
    async open(service, owner) {
      Deno.mkdirSync(dir, { recursive: true, mode: 0o755 });
      const socket = openNotifySocket(await notifySocketPath(dir, service), {
        ...(owner.uid !== undefined ? { uid: owner.uid } : {}),
        ...(owner.gid !== undefined ? { gid: owner.gid } : {}),
      });
      async function* messages(): AsyncGenerator<NotifyMessage> {
        for await (const datagram of socket) {
          const m: {
            -readonly [K in keyof NotifyMessage]: NotifyMessage[K];
          } = { invalid: datagram.invalid };
          for (const msg of datagram.messages) {
            switch (msg.type) {
              case "ready":
                m.ready = true;
                break;
              case "status":
                m.status = msg.text;
                break;
              case "mainpid":
                m.mainPid = msg.pid;
                break;
              case "errno":
                m.errno = msg.errno;
                break;
              case "buserror":
                m.errno = Number.parseInt(msg.error, 10) || 1;
                break;
              case "stopping":
                m.stopping = true;
                break;
              case "extend-timeout":
                m.extendTimeoutUsec = msg.usec;
                break;
              case "watchdog":
                m.watchdog = true;
                break;
              case "watchdog-usec":
              case "barrier":
                break;
              default: {
                const _exhaustive: never = msg;
                void _exhaustive;
              }
            }
          }
          yield m;
        }
      }
      const channel: NotifyChannel = {
        path: socket.path,
        messages: messages(),
        close: () => {
          socket.close().catch(() => {});
        },
      };
      return channel;
    },
  };
}
