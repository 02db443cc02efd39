/* SPDX-License-Identifier: BSD-3-Clause */
/* tap.c — TAP device and network namespace plumbing (Linux only). */
#define _GNU_SOURCE
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, const char *what, const char *name)
{
    snprintf(err, errlen, "%s %s: %s", what, name, strerror(errno));
    return -1;
}

int tap_enter_netns(const char *ns, char *err, size_t errlen)
{
    char path[512];
    if (strchr(ns, '/'))
        snprintf(path, sizeof path, "%s", ns);
    else
        snprintf(path, sizeof path, "/var/run/netns/%s", ns);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            snprintf(err, errlen, "network namespace %s not found (%s; create it with `ip netns add %s`)",
                     ns, path, ns);
            return -1;
        }
        return fail(err, errlen, "cannot open netns", path);
    }
    int rc = setns(fd, CLONE_NEWNET);
    int saved = errno;
    close(fd);
    errno = saved;
    if (rc < 0)
        return fail(err, errlen, "setns into", path);
    return 0;
}

int tap_open(const char *name, char *err, size_t errlen)
{
    if (strlen(name) >= IFNAMSIZ) {
        snprintf(err, errlen, "tap name %s longer than %d characters", name, IFNAMSIZ - 1);
        errno = EINVAL;
        return -1;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return fail(err, errlen, "cannot open", "/dev/net/tun");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    memcpy(ifr.ifr_name, name, strlen(name));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return fail(err, errlen, "TUNSETIFF", name);
    }
    /* No offload flags: the kernel hands us finished checksums and MTU-sized frames. */
    if (ioctl(fd, TUNSETOFFLOAD, 0UL) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return fail(err, errlen, "TUNSETOFFLOAD", name);
    }
    return fd;
}

int tap_disable_ipv6(const char *name, char *err, size_t errlen)
{
    /* /proc/sys/net resolves in the namespace of the process that opens it. */
    char path[128];
    snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;   /* no IPv6 in this kernel: nothing to silence */
        return fail(err, errlen, "cannot open", path);
    }
    ssize_t n = write(fd, "1\n", 2);
    int saved = errno;
    close(fd);
    errno = saved;
    if (n != 2)
        return fail(err, errlen, "cannot write", path);
    return 0;
}

static int ifreq_socket(char *err, size_t errlen)
{
    int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sk < 0)
        fail(err, errlen, "socket", "AF_INET");
    return sk;
}

static void ifreq_init(struct ifreq *ifr, const char *name)
{
    memset(ifr, 0, sizeof *ifr);
    memcpy(ifr->ifr_name, name, strnlen(name, IFNAMSIZ - 1));
}

static void set_sin(struct sockaddr *sa, uint32_t addr)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(addr);
    memcpy(sa, &sin, sizeof sin);
}

int tap_set_ipv4(const char *name, uint32_t addr, uint8_t prefix, char *err, size_t errlen)
{
    int sk = ifreq_socket(err, errlen);
    if (sk < 0)
        return -1;
    struct ifreq ifr;
    ifreq_init(&ifr, name);
    set_sin(&ifr.ifr_addr, addr);
    int rc = 0;
    if (ioctl(sk, SIOCSIFADDR, &ifr) < 0) {
        rc = fail(err, errlen, "SIOCSIFADDR", name);
    } else {
        uint32_t mask = prefix == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - prefix));
        ifreq_init(&ifr, name);
        set_sin(&ifr.ifr_netmask, mask);
        if (ioctl(sk, SIOCSIFNETMASK, &ifr) < 0)
            rc = fail(err, errlen, "SIOCSIFNETMASK", name);
    }
    close(sk);
    return rc;
}

int tap_set_mtu(const char *name, unsigned mtu, char *err, size_t errlen)
{
    int sk = ifreq_socket(err, errlen);
    if (sk < 0)
        return -1;
    struct ifreq ifr;
    ifreq_init(&ifr, name);
    ifr.ifr_mtu = (int)mtu;
    int rc = 0;
    if (ioctl(sk, SIOCSIFMTU, &ifr) < 0)
        rc = fail(err, errlen, "SIOCSIFMTU", name);
    close(sk);
    return rc;
}

int tap_join_bridge(const char *name, const char *br, char *err, size_t errlen)
{
    if (strlen(br) >= IFNAMSIZ) {
        snprintf(err, errlen, "bridge name %s longer than %d characters", br, IFNAMSIZ - 1);
        return -1;
    }
    int sk = ifreq_socket(err, errlen);
    if (sk < 0)
        return -1;
    struct ifreq ifr;
    ifreq_init(&ifr, name);
    int rc = 0;
    if (ioctl(sk, SIOCGIFINDEX, &ifr) < 0) {
        rc = fail(err, errlen, "SIOCGIFINDEX", name);
    } else {
        int index = ifr.ifr_ifindex;
        ifreq_init(&ifr, br);
        ifr.ifr_ifindex = index;
        if (ioctl(sk, SIOCBRADDIF, &ifr) < 0)
            rc = fail(err, errlen, "cannot add the tap to bridge", br);
    }
    close(sk);
    return rc;
}

int tap_link_up(const char *name, char *err, size_t errlen)
{
    int sk = ifreq_socket(err, errlen);
    if (sk < 0)
        return -1;
    struct ifreq ifr;
    ifreq_init(&ifr, name);
    int rc = 0;
    if (ioctl(sk, SIOCGIFFLAGS, &ifr) < 0) {
        rc = fail(err, errlen, "SIOCGIFFLAGS", name);
    } else {
        ifr.ifr_flags = (short)(ifr.ifr_flags | IFF_UP);
        if (ioctl(sk, SIOCSIFFLAGS, &ifr) < 0)
            rc = fail(err, errlen, "SIOCSIFFLAGS", name);
    }
    close(sk);
    return rc;
}
