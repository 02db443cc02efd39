/* SPDX-License-Identifier: BSD-3-Clause */
/* docs/examples/consumer/hello.c — a program that uses an installed seqs (CMake
 * find_package, pkg-config, or add_subdirectory; see CMakeLists.txt here and
 * tools/check-install.sh, which builds it all three ways outside the tree).
 * It brings one stack up and checks that its first frame is the gratuitous ARP
 * announcing its address. */
#include <stdio.h>
#include <string.h>

#include <seqs/seqs.h>
#include <seqs/version.h>

static seqs_stack_t st;   /* caller-allocated, as on firmware */

int main(void) {
    seqs_config_t cfg;
    seqs_config_default(&cfg);
    const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    memcpy(cfg.mac, mac, sizeof mac);
    int rc = seqs_stack_init(&st, &cfg);
    if (rc == SEQS_OK)
        rc = seqs_stack_set_addr(&st, SEQS_IP4(192, 0, 2, 2), 24, SEQS_IP4(192, 0, 2, 1), 0);
    if (rc != SEQS_OK) {
        fprintf(stderr, "seqs: %s\n", seqs_strerror(rc));
        return 1;
    }
    uint8_t frame[SEQS_MAX_FRAME];
    int len = seqs_stack_output(&st, frame, sizeof frame, 1000000);
    int is_arp = len >= 14 && frame[12] == 0x08 && frame[13] == 0x06;
    printf("seqs %s (SEQS_VERSION %d): first frame %d bytes, %s\n", SEQS_VERSION_STRING, SEQS_VERSION, len,
           is_arp ? "ARP announcement" : "unexpected");
    return is_arp ? 0 : 1;
}
