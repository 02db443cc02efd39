/* SPDX-License-Identifier: BSD-3-Clause */
/* sim/tap_creator_path.c — lets Debian's ns-3 3.37 TapBridge find its helper.
 *
 * libns3-tap-bridge execs the tap-creator helper (with execlp) from the path baked in
 * when the package was built, /build/ns3-.../ns3.37-tap-creator, which does not exist;
 * the installed helper is /usr/libexec/ns3/ns3.37-tap-creator. seqs-sim defines
 * execlp() (exported, so the library's call binds here): a tap-creator path that is
 * not executable is replaced by the installed one; everything else goes to execvp()
 * unchanged. This runs in the forked child, so it only uses exec-safe calls. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#define SEQS_TAP_CREATOR "ns3.37-tap-creator"
#define SEQS_TAP_CREATOR_INSTALLED "/usr/libexec/ns3/" SEQS_TAP_CREATOR
#define SEQS_EXECLP_MAX_ARGS 64

int execlp(const char *file, const char *arg, ...) {
    char *argv[SEQS_EXECLP_MAX_ARGS];
    size_t n = 0;
    argv[n++] = (char *)arg;
    va_list ap;
    va_start(ap, arg);
    while (argv[n - 1] != NULL) {
        if (n == SEQS_EXECLP_MAX_ARGS) {
            va_end(ap);
            errno = E2BIG;
            return -1;
        }
        argv[n++] = va_arg(ap, char *);
    }
    va_end(ap);
    const char *base = strrchr(file, '/');
    if (base && strcmp(base + 1, SEQS_TAP_CREATOR) == 0 && access(file, X_OK) != 0 &&
        access(SEQS_TAP_CREATOR_INSTALLED, X_OK) == 0)
        file = SEQS_TAP_CREATOR_INSTALLED;
    return execvp(file, argv);
}
