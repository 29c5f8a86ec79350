/* SPDX-License-Identifier: MIT */
/* main.c -- meshdns: the command line. */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "util/netaddr.h"

static const char usage_text[] =
"usage: meshdns [-c FILE] [-l ADDR[:PORT]]... [-r PATH]... [-s STATEFILE]\n"
"               [-p PIDFILE] [-u ADDR[:PORT]]... [-f] [-t [--strict]]\n"
"               [--status] [-v]...\n"
"\n"
"An authoritative DNS server for Kuma service meshes: reads MeshService,\n"
"HostnameGenerator and Mesh resources, gives every service a stable VIP and\n"
"answers DNS for the generated hostnames.\n"
"\n"
"  -c, --config FILE     read the configuration file FILE (default: none,\n"
"                        built-in defaults)\n"
"  -l, --listen ADDR     listen on ADDR (UDP and TCP); repeatable; IPv6 as\n"
"                        [::1]:15053; default 127.0.0.1:15053\n"
"  -r, --resources PATH  read resources from PATH, a file or a directory\n"
"                        (*.yaml, *.yml, recursively); repeatable\n"
"      --store CONNINFO  follow Kuma's PostgreSQL store (a libpq connection\n"
"                        string or URI): its resources, live, and the VIPs\n"
"                        Kuma recorded; with or without -r\n"
"  -s, --state FILE      keep VIP assignments in FILE\n"
"  -p, --pid-file FILE   write the process id to FILE (removed at exit)\n"
"  -u, --upstream ADDR   forward names outside the served zones to ADDR\n"
"                        (port 53 by default); repeatable; \"resolv.conf\"\n"
"                        means the nameservers of /etc/resolv.conf, a path\n"
"                        (with a '/') those of that file\n"
"  -f, --foreground      stay in the foreground, log to stderr only\n"
"  -t, --check           check the configuration, the resources and what the\n"
"                        start needs, print every problem, then a summary;\n"
"                        exit 1 when there is an error, else 0\n"
"      --strict          with -t: exit 1 on warnings too (for CI)\n"
"      --status          print every MeshService with its computed status\n"
"                        (one YAML document each, kumactl's shape) and exit\n"
"  -v, --verbose         log more (repeat for more)\n"
"  -h, --help            show this help\n"
"  -V, --version         show the versions of meshdns and its libraries\n"
"\n"
"Flags override the configuration file.  SIGHUP reloads configuration,\n"
"resources and templates without dropping a query; SIGTERM stops.\n"
"See meshdns(8).\n";

enum {
	OPT_STATUS = 256,
	OPT_STRICT,
	OPT_STORE,
};

static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "listen", required_argument, NULL, 'l' },
	{ "resources", required_argument, NULL, 'r' },
	{ "state", required_argument, NULL, 's' },
	{ "pid-file", required_argument, NULL, 'p' },
	{ "upstream", required_argument, NULL, 'u' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "check", no_argument, NULL, 't' },
	{ "status", no_argument, NULL, OPT_STATUS },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/*
 * @path made absolute against the current directory, so that reloads
 * find the same files after the daemon has changed to "/".  NULL on
 * ENOMEM or when the current directory cannot be found.
 */
static char *
absolute(const char *path)
{
	char cwd[4096];
	char *out = NULL;

	if (path[0] == '/')
		return strdup(path);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	if (asprintf(&out, "%s/%s", cwd, path) < 0)
		return NULL;
	return out;
}

/* Replace *@field by its absolute form; -1 on failure (reported). */
static int
make_absolute(char **field)
{
	char *abs = absolute(*field);

	if (abs == NULL) {
		fprintf(stderr, "meshdns: cannot make %s absolute (%s)\n",
			*field, strerror(errno));
		*field = NULL;
		return -1;
	}
	*field = abs;
	return 0;
}

/*
 * -l and -u take ADDR[:PORT] (the config reads it again with its default
 * port, which does not change whether it parses); -1 when it does not
 * parse (reported).
 */
static int
check_address(const char *text, const char *flag)
{
	struct netaddr_port a;
	char err[256];

	if (netaddr_port_parse(&a, text, 0, NETADDR_PORT_SCOPE, err,
			       sizeof(err)) < 0) {
		fprintf(stderr, "meshdns: %s %s: %s\n", flag, text, err);
		return -1;
	}
	return 0;
}

/*
 * The option getopt_long() stopped at, as the user wrote it: "-x", or the
 * argument "--staus" (a long option, or short ones run together).
 */
static const char *
bad_option(char **argv, char *buf, size_t size)
{
	const char *arg = argv[optind - 1];

	if (optopt != 0 && strncmp(arg, "--", 2) != 0) {
		snprintf(buf, size, "-%c", optopt);
		return buf;
	}
	return arg;
}

/*
 * getopt_long() returned '?': say which option and why, in one line ("an
 * unknown option", "ambiguous": a prefix of two long options, or a
 * value given to an option that takes none).
 */
static void
unknown_option(char **argv)
{
	const char *arg = argv[optind - 1];
	size_t n = strcspn(arg, "=");
	char opt[8];
	int matches = 0;
	int i;

	if (strncmp(arg, "--", 2) != 0) {
		fprintf(stderr, "meshdns: unknown option %s\n",
			bad_option(argv, opt, sizeof(opt)));
		return;
	}
	if (optopt != 0) {
		fprintf(stderr, "meshdns: option %.*s takes no value\n",
			(int)n, arg);
		return;
	}
	for (i = 0; long_options[i].name != NULL; i++)
		if (strncmp(long_options[i].name, arg + 2, n - 2) == 0)
			matches++;
	if (matches < 2 || n <= 2) {
		fprintf(stderr, "meshdns: unknown option %s\n", arg);
		return;
	}
	fprintf(stderr, "meshdns: option %.*s is ambiguous:", (int)n, arg);
	for (i = 0; long_options[i].name != NULL; i++)
		if (strncmp(long_options[i].name, arg + 2, n - 2) == 0)
			fprintf(stderr, " --%s", long_options[i].name);
	fputc('\n', stderr);
}

/* Returns 0 to go on, 1 to exit successfully (help), -1 on a usage error. */
static int
parse_args(struct daemon_options *a, int argc, char **argv)
{
	char opt[8];
	int c;

	memset(a, 0, sizeof(*a));
	opterr = 0;	/* our own messages, one line each */
	while ((c = getopt_long(argc, argv, ":c:l:r:s:p:u:ftvhV",
				long_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			free((char *)a->opt.config_file);
			a->opt.config_file = optarg;
			if (make_absolute((char **)&a->opt.config_file) < 0)
				return -1;
			break;
		case 'l': {
			char **v = NULL;

			if (check_address(optarg, "-l") < 0)
				return -1;
			v = realloc(a->opt.listen,
				    (a->opt.nlisten + 1) * sizeof(*v));
			if (v == NULL)
				return -1;
			a->opt.listen = v;
			v[a->opt.nlisten++] = optarg;
			break;
		}
		case 'r': {
			char **v = realloc(a->opt.resources,
					   (a->opt.nresources + 1) * sizeof(*v));

			if (v == NULL)
				return -1;
			a->opt.resources = v;
			v[a->opt.nresources] = optarg;
			if (make_absolute(&v[a->opt.nresources]) < 0)
				return -1;
			a->opt.nresources++;
			break;
		}
		case OPT_STORE:
			a->opt.store = optarg;
			break;
		case 's':
			free((char *)a->opt.state_file);
			a->opt.state_file = optarg;
			if (make_absolute((char **)&a->opt.state_file) < 0)
				return -1;
			break;
		case 'u': {
			/* "resolv.conf", a path (a '/'), or an address */
			char **v = NULL;
			char *u = NULL;

			if (strchr(optarg, '/') != NULL)
				u = absolute(optarg);
			else if (strcmp(optarg, "resolv.conf") == 0 ||
				 check_address(optarg, "-u") == 0)
				u = strdup(optarg);
			else
				return -1;
			if (u == NULL) {
				fprintf(stderr, "meshdns: -u %s: %s\n", optarg,
					strerror(errno));
				return -1;
			}
			v = realloc(a->opt.upstreams,
				    (a->opt.nupstreams + 1) * sizeof(*v));
			if (v == NULL) {
				free(u);
				return -1;
			}
			a->opt.upstreams = v;
			v[a->opt.nupstreams++] = u;
			break;
		}
		case 'p':
			free(a->pid_file);
			a->pid_file = optarg;
			if (make_absolute(&a->pid_file) < 0)
				return -1;
			break;
		case 'f':
			a->foreground = 1;
			break;
		case 't':
			a->check = 1;
			break;
		case OPT_STRICT:
			a->strict = 1;
			break;
		case OPT_STATUS:
			a->status = 1;
			a->opt.keep_specs = 1;
			break;
		case 'v':
			a->opt.verbosity++;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		case 'V':
			daemon_print_version(stdout);
			return 1;
		case ':':
			fprintf(stderr, "meshdns: option %s needs a value\n",
				bad_option(argv, opt, sizeof(opt)));
			return -1;
		default:
			unknown_option(argv);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "meshdns: unexpected argument \"%s\"\n",
			argv[optind]);
		return -1;
	}
	/* Not implied: a unit's "meshdns --strict" must not check and exit. */
	if (a->strict && !a->check) {
		fprintf(stderr, "meshdns: --strict applies to -t (--check) "
			"only: meshdns -t --strict\n");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct daemon_options a;
	int rc;

	daemon_process_setup();
	rc = parse_args(&a, argc, argv);
	a.argc = argc;
	a.argv = argv;
	if (rc != 0) {
		if (rc < 0)
			fputs("try 'meshdns --help'\n", stderr);
		daemon_options_clear(&a);
		return rc > 0 ? 0 : 2;
	}
	if (a.check || a.status)
		rc = daemon_offline(&a);
	else
		rc = daemon_run(&a);
	daemon_options_clear(&a);
	return rc;
}
