/* SPDX-License-Identifier: MIT */
/*
 * dnsraw.c -- send one raw packet to 127.0.0.1:PORT over UDP, print the
 * reply, for the system tests' malformed-packet checks (dig cannot send
 * two questions or a broken name).
 *
 *   dnsraw PORT HEX    prints the reply's RCODE and flags as
 *                      "rcode=N qr=N aa=N tc=N id=HEX len=N", or "timeout"
 *   dnsraw -t PORT HEX...  sends every HEX query length-framed over one TCP
 *                      connection in a single write (pipelined), prints one
 *                      such line per reply, in the order they came
 *   dnsraw -T PORT HEX...  the same, but prints every reply until the
 *                      server is silent for 2 s or closes (a zone
 *                      transfer answers one query with several), each
 *                      line starting with "an=N " (its ANCOUNT)
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int
unhex(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;
	unsigned int b;

	while (s[0] != '\0' && s[1] != '\0') {
		if (n == cap || sscanf(s, "%2x", &b) != 1)
			return -1;
		out[n++] = (unsigned char)b;
		s += 2;
	}
	return (int)n;
}

static void
print_reply(const unsigned char *r, ssize_t n)
{
	if (n < 12) {
		printf("short len=%zd\n", n);
		return;
	}
	printf("rcode=%d qr=%d aa=%d tc=%d id=%02x%02x len=%zd\n", r[3] & 0x0f,
	       r[2] >> 7, (r[2] >> 2) & 1, (r[2] >> 1) & 1, r[0], r[1], n);
}

/* Read exactly @len bytes; 0, or -1 on EOF, error or a 2 s silence. */
static int
read_full(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 2000) <= 0)
			return -1;
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int
tcp_main(int argc, char **argv, int all)
{
	static unsigned char out[65536 * 4];
	static unsigned char r[65536];
	struct sockaddr_in sa;
	size_t off = 0;
	int fd;
	int i;

	for (i = 3; i < argc; i++) {
		int len = unhex(argv[i], out + off + 2, sizeof(out) - off - 2);

		if (len < 0) {
			fprintf(stderr, "dnsraw: bad hex\n");
			return 2;
		}
		out[off] = (unsigned char)(len >> 8);
		out[off + 1] = (unsigned char)len;
		off += 2 + (size_t)len;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[2]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, out, off) != (ssize_t)off) {
		perror("dnsraw");
		return 2;
	}
	for (i = 3; all || i < argc; i++) {
		size_t len;

		if (read_full(fd, r, 2) < 0) {
			if (!all)
				printf("closed\n");
			break;
		}
		len = ((size_t)r[0] << 8) | r[1];
		if (read_full(fd, r, len) < 0) {
			printf("closed\n");
			break;
		}
		if (all && len >= 12) {
			printf("an=%d ", r[6] << 8 | r[7]);
		}
		print_reply(r, (ssize_t)len);
	}
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned char q[4096];
	unsigned char r[65536];
	struct sockaddr_in sa;
	struct pollfd pfd;
	ssize_t n;
	int len;
	int fd;

	if (argc >= 4 && strcmp(argv[1], "-t") == 0)
		return tcp_main(argc, argv, 0);
	if (argc >= 4 && strcmp(argv[1], "-T") == 0)
		return tcp_main(argc, argv, 1);
	if (argc != 3) {
		fprintf(stderr, "usage: dnsraw PORT HEX | dnsraw -t|-T PORT HEX...\n");
		return 2;
	}
	if ((len = unhex(argv[2], q, sizeof(q))) < 0) {
		fprintf(stderr, "dnsraw: bad hex\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || sendto(fd, q, (size_t)len, 0, (struct sockaddr *)&sa,
			     sizeof(sa)) < 0) {
		perror("dnsraw");
		return 2;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 1000) <= 0) {
		printf("timeout\n");
		return 0;
	}
	n = recv(fd, r, sizeof(r), 0);
	print_reply(r, n);
	close(fd);
	return 0;
}
