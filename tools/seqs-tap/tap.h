/* SPDX-License-Identifier: BSD-3-Clause */
/* tap.h — the Linux side of seqs-tap: a TAP device (optionally inside a
 * network namespace) whose kernel end is a real Linux host and whose file
 * descriptor end is our stack. */
#ifndef SEQS_TAP_TAP_H
#define SEQS_TAP_TAP_H

#include <stddef.h>
#include <stdint.h>

/* Enters network namespace ns (a name under /var/run/netns, or a path such as
 * /proc/PID/ns/net). Everything opened afterwards — the TAP device, the ioctl
 * socket, /proc/sys/net — belongs to that namespace, so the device is born
 * there and never has to be moved (moving wipes its addresses). */
int tap_enter_netns(const char *ns, char *err, size_t errlen);

/* Creates (or attaches to) TAP device name with IFF_TAP|IFF_NO_PI and no
 * offloads, so frames are complete and checksummed. Returns a non-blocking fd. */
int tap_open(const char *name, char *err, size_t errlen);

/* Disables IPv6 on the device (no MLD/NS/RS chatter); a kernel without IPv6 is fine. */
int tap_disable_ipv6(const char *name, char *err, size_t errlen);

/* Gives the Linux end an IPv4 address (host order) and prefix length. */
int tap_set_ipv4(const char *name, uint32_t addr, uint8_t prefix, char *err, size_t errlen);

/* Sets the interface MTU. */
int tap_set_mtu(const char *name, unsigned mtu, char *err, size_t errlen);

/* Enslaves the device to existing Linux bridge br (so several stacks, and
 * Linux, share one segment). */
int tap_join_bridge(const char *name, const char *br, char *err, size_t errlen);

/* Brings the link up. */
int tap_link_up(const char *name, char *err, size_t errlen);

#endif
