import { sendNotify } from "../../src/notify/client.ts";
import type { NotifySocket } from "../../src/notify/socket.ts";

const END = "X_TEST_END=1";

/**
 * Everything `listener` received before a marker datagram sent now: datagrams keep their
 * order, so whatever was sent before the marker has arrived once the marker does.
 */
export async function drainNotify(listener: NotifySocket): Promise<string[]> {
  sendNotify(listener.path, END);
  const received: string[] = [];
  for await (const datagram of listener) {
    if (datagram.text === END) break;
    received.push(datagram.text);
  }
  return received;
}
