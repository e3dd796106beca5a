/*
 * host_bench: the libnng C <-> C baseline of bench/calls.sh.
 *
 * A C host on libnng that does for one function call exactly what kpm's Java host (and eKuiper's
 * Go host) does, see docs/portable-protocol.md sections 0, 3.1, 3.2, 3.4 and 3.5:
 *
 *   1. listen REP on ipc:///tmp/plugin_<name>.ipc, start the probe as
 *      `<probe> {"sendTimeout":1000}` with PROBE_NAME=<name>, receive its handshake;
 *   2. listen REP on ipc:///tmp/func_echo.ipc, send the start command for function echo as the
 *      reply and expect `ok`;
 *   3. on the function channel, receive the probe's handshake, then run <warmup> + <n> Exec calls
 *      with the section 3.4 send loop (a protocol-state error receives and discards one message
 *      and sends again; an answer starting with 'h' is a keepalive, so send again), timing each
 *      round trip with CLOCK_MONOTONIC;
 *   4. print `c p50_us=... p99_us=... calls_per_s=... n=...`, kill the probe (SIGKILL, as eKuiper)
 *      and close both listeners (libnng unlinks the socket files).
 *
 * Usage: host_bench <probe> <name> <warmup> <n>        Build: gcc -O2 -o host_bench host_bench.c -lnng
 * The probe's stdout and stderr go to /dev/null, as in the Java host of the benchmark.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char START[] =
	"{\"cmd\":\"start\",\"arg\":\"{\\\"symbolName\\\":\\\"echo\\\",\\\"meta\\\":{\\\"ruleId\\\":"
	"\\\"\\\",\\\"opId\\\":\\\"\\\",\\\"instanceId\\\":0},\\\"pluginType\\\":\\\"func\\\"}\"}";
static const char EXEC[] =
	"{\"func\":\"Exec\",\"arg\":[\"abc\",\"{\\\"ruleId\\\":\\\"r1\\\",\\\"opId\\\":\\\"op1\\\","
	"\\\"instanceId\\\":0,\\\"funcId\\\":0}\"]}";

static pid_t probe = -1;

static void die(const char *what, int rv)
{
	fprintf(stderr, "host_bench: %s: %s\n", what, rv ? nng_strerror(rv) : "failed");
	if (probe > 0) {
		kill(probe, SIGKILL);
		waitpid(probe, NULL, 0);
	}
	exit(1);
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static nng_socket listen_rep(const char *url, int timeout_ms)
{
	nng_socket s;
	int rv;
	if ((rv = nng_rep0_open(&s)) != 0)
		die("nng_rep0_open", rv);
	nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, timeout_ms);
	nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, timeout_ms);
	nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, 0);
	if ((rv = nng_listen(s, url, NULL, 0)) != 0)
		die(url, rv);
	return s;
}

/* docs/portable-protocol.md section 3.4; returns the answer (nng_free it) and its size in *len. */
static char *exchange(nng_socket s, const char *payload, size_t *len)
{
	for (;;) {
		int rv = nng_send(s, (void *) payload, strlen(payload), 0);
		if (rv == NNG_ESTATE) {
			char *discard;
			size_t dlen;
			if ((rv = nng_recv(s, &discard, &dlen, NNG_FLAG_ALLOC)) != 0)
				die("receive before resend", rv);
			nng_free(discard, dlen);
			rv = nng_send(s, (void *) payload, strlen(payload), 0);
		}
		if (rv != 0)
			die("send", rv);
		char *answer;
		if ((rv = nng_recv(s, &answer, len, NNG_FLAG_ALLOC)) != 0)
			die("receive", rv);
		if (*len == 0 || answer[0] != 'h')
			return answer;
		nng_free(answer, *len);
	}
}

static void start_probe(const char *exe, const char *name)
{
	probe = fork();
	if (probe < 0)
		die("fork", 0);
	if (probe == 0) {
		int devnull = open("/dev/null", O_RDWR);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		setenv("PROBE_NAME", name, 1);
		execl(exe, exe, "{\"sendTimeout\":1000}", (char *) NULL);
		_exit(127);
	}
}

static int by_value(const void *a, const void *b)
{
	long long x = *(const long long *) a, y = *(const long long *) b;
	return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least p of all samples at or below it. */
static double percentile_us(const long long *sorted, int n, int percent)
{
	long long rank = ((long long) percent * n + 99) / 100;
	return sorted[rank < 1 ? 0 : rank - 1] / 1000.0;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: host_bench <probe> <name> <warmup> <n>\n");
		return 2;
	}
	const char *exe = argv[1], *name = argv[2];
	int warmup = atoi(argv[3]), n = atoi(argv[4]);
	if (warmup < 0 || n < 1) {
		fprintf(stderr, "host_bench: warmup must be >= 0 and n >= 1\n");
		return 2;
	}
	char url[300];
	snprintf(url, sizeof url, "ipc:///tmp/plugin_%s.ipc", name);

	nng_socket control = listen_rep(url, 10000);
	start_probe(exe, name);
	char *msg;
	size_t len;
	int rv;
	if ((rv = nng_recv(control, &msg, &len, NNG_FLAG_ALLOC)) != 0)
		die("control handshake", rv);
	nng_free(msg, len);

	nng_socket func = listen_rep("ipc:///tmp/func_echo.ipc", 5000);
	msg = exchange(control, START, &len);
	if (len != 2 || memcmp(msg, "ok", 2) != 0)
		die("start command not answered ok", 0);
	nng_free(msg, len);
	if ((rv = nng_recv(func, &msg, &len, NNG_FLAG_ALLOC)) != 0)
		die("function handshake", rv);
	nng_free(msg, len);

	long long *rtt = malloc(sizeof *rtt * (size_t) n);
	if (rtt == NULL)
		die("malloc", 0);
	long long begin = 0;
	for (int i = -warmup; i < n; i++) {
		if (i == 0)
			begin = now_ns();
		long long t0 = now_ns();
		msg = exchange(func, EXEC, &len);
		long long t1 = now_ns();
		if (i == -warmup) {
			static const char want[] = "{\"state\":true,\"result\":\"abc\"}";
			if (len != sizeof want - 1 || memcmp(msg, want, len) != 0) {
				fprintf(stderr, "host_bench: unexpected reply %.*s\n", (int) len, msg);
				die("Exec", 0);
			}
		}
		nng_free(msg, len);
		if (i >= 0)
			rtt[i] = t1 - t0;
	}
	double seconds = (now_ns() - begin) / 1e9;

	kill(probe, SIGKILL);
	waitpid(probe, NULL, 0);
	nng_close(func);
	nng_close(control);

	qsort(rtt, (size_t) n, sizeof *rtt, by_value);
	printf("c p50_us=%.1f p99_us=%.1f calls_per_s=%.0f n=%d\n", percentile_us(rtt, n, 50),
	       percentile_us(rtt, n, 99), n / seconds, n);
	free(rtt);
	return 0;
}
