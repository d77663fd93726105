/**
 * Chaperone as an sd_notify client of its own host (docs/docker.md, "Telling the host"): podman
 * --sdnotify=container or systemd give it NOTIFY_SOCKET; it reports READY=1, STATUS=, STOPPING=1
 * and ERRNO=.
 */
import type { Logger } from "../log/logger.ts";
import { sendNotify } from "../notify/client.ts";
import type { HostNotify } from "../supervisor/ports.ts";
import { errorMessage } from "../text/error_message.ts";

/** A HostNotify for NOTIFY_SOCKET, or undefined when there is none. Each message is sent at most once, STATUS excepted. */
export function hostNotifier(
  socket: string | undefined,
  logger: Logger,
): (HostNotify & { close(): void }) | undefined {
  if (!socket) return undefined;
  const sent = new Set<string>();
  let broken = false;
  return {
    send(message: string) {
      if (broken) return;
      const key = message.split("=")[0] ?? message;
      if (key !== "STATUS" && sent.has(key)) return;
      sent.add(key);
      try {
        sendNotify(socket, message);
      } catch (err) {
        broken = true;
        logger.debug(
          `host notify socket ${socket} unusable: ${errorMessage(err)}`,
        );
      }
    },
    close() {
      broken = true;
    },
  };
}
