/*
 * Flood sender for scripts/bench/syslog.ts: sends N RFC 3164 messages of about 100 bytes to a
 * Unix datagram socket as fast as the receiver takes them. The socket is blocking, so the
 * sender waits whenever the receiver's queue is full (as syslog(3) does) and nothing is lost
 * on this side. Facilities and severities cycle so that selectors have something to choose.
 *
 * usage: syslog_sender <socket path> <count>
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s <socket path> <count>\n", argv[0]);
    return 2;
  }
  long count = strtol(argv[2], NULL, 10);
  int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (fd < 0) { perror("socket"); return 1; }
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  strncpy(addr.sun_path, argv[1], sizeof(addr.sun_path) - 1);
  if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) { perror("connect"); return 1; }
  char stamp[32];
  time_t now = time(NULL);
  strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", localtime(&now));
  char buf[256];
  pid_t pid = getpid();
  for (long i = 0; i < count; i++) {
    int facility = 16 + (int)(i % 4);   /* local0..local3 */
    int severity = (int)(i % 8);
    const char *tag = (i % 5 == 0) ? "cron" : "bench";
    int n = snprintf(buf, sizeof buf,
                     "<%d>%s %s[%d]: message %08ld the quick brown fox jumps over the lazy dog 0123456789",
                     facility * 8 + severity, stamp, tag, (int)pid, i);
    while (send(fd, buf, (size_t)n, 0) < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == ENOBUFS) continue;
      perror("send");
      return 1;
    }
  }
  close(fd);
  return 0;
}
