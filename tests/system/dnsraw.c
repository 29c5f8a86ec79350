/* SPDX-License-Identifier: MIT */
/*
 * dnsraw.c -- send one raw packet to 127.0.0.1:PORT over UDP, print the
 * reply, for the system tests' malformed-packet checks (dig cannot send
 * two questions or a broken name).
 *
 *   dnsraw PORT HEX    prints the reply's RCODE and flags as
 *                      "rcode=N qr=N aa=N tc=N id=HEX len=N", or "timeout"
 */
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

	if (argc != 3) {
		fprintf(stderr, "usage: dnsraw PORT HEX\n");
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
	if (n < 12) {
		printf("short len=%zd\n", n);
		return 0;
	}
	printf("rcode=%d qr=%d aa=%d tc=%d id=%02x%02x len=%zd\n", r[3] & 0x0f,
	       r[2] >> 7, (r[2] >> 2) & 1, (r[2] >> 1) & 1, r[0], r[1], n);
	close(fd);
	return 0;
}
