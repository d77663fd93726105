/*
 * The service that scripts/bench/supervision.ts runs under every supervisor: one process, no
 * shell, so the figures measure the supervisor and not /bin/sh. It reports to the bench over a
 * Unix datagram socket, one datagram per event, stamped by the bench when it arrives:
 *   "up <id>"    once it runs (long-running mode),
 *   "done <id>"  just before it exits 0 (oneshot mode),
 *   "term <id>"  when SIGTERM arrives; it then exits 0 at once (a graceful stop).
 * A service killed by SIGKILL never reports "term", which is how the bench counts them.
 *
 * In launch mode it reports "launch 0" and then becomes the supervisor under test (execv), so
 * the bench times each supervisor from its own exec, not from the namespace's set-up.
 *
 * usage: supervision_service <socket path> <id> [oneshot]
 *        supervision_service <socket path> launch <program> [args...]
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int sock = -1;
static struct sockaddr_un addr;
static char term_msg[64];
static size_t term_len;

static void report(const char *msg, size_t len) {
  /* Blocking sendto: when the bench's queue is full we wait rather than lose a report. */
  (void)sendto(sock, msg, len, 0, (const struct sockaddr *)&addr, sizeof addr);
}

static void on_term(int sig) {
  (void)sig;
  report(term_msg, term_len);
  _exit(0);
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[2], "launch") == 0) {
    if (strlen(argv[1]) >= sizeof addr.sun_path) return 2;
    addr.sun_family = AF_UNIX;
    strcpy(addr.sun_path, argv[1]);
    sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock >= 0) report("launch 0", 8);
    execv(argv[3], argv + 3);
    perror(argv[3]);
    return 127;
  }
  if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "oneshot") != 0)) {
    fprintf(stderr, "usage: %s <socket path> <id> [oneshot]\n", argv[0]);
    return 2;
  }
  if (strlen(argv[1]) >= sizeof addr.sun_path || strlen(argv[2]) > 32) {
    fprintf(stderr, "%s: socket path or id too long\n", argv[0]);
    return 2;
  }
  addr.sun_family = AF_UNIX;
  strcpy(addr.sun_path, argv[1]);
  sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) {
    perror("socket");
    return 1;
  }
  char msg[64];
  if (argc == 4) {
    int n = snprintf(msg, sizeof msg, "done %s", argv[2]);
    report(msg, (size_t)n);
    return 0;
  }
  term_len = (size_t)snprintf(term_msg, sizeof term_msg, "term %s", argv[2]);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGTERM, &sa, NULL) != 0) {
    perror("sigaction");
    return 1;
  }
  int n = snprintf(msg, sizeof msg, "up %s", argv[2]);
  report(msg, (size_t)n);
  for (;;) pause();
}
