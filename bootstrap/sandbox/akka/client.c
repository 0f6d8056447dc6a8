/* The `akka` executable, compiled: client.py's fast path in C.
 *
 * The suite starts this thousands of times, and a Python start costs more than the command: the real CLI is a Go
 * binary that starts in a couple of ms, and so does this. It hands argv, the caller's pid, when it began and part of
 * its environment to the sandbox's akka server (server.py), over a unix socket in wire.py's format, and prints the
 * answer, after the sandbox's latency when one is set. Whatever must run in this very process (a fault that hangs or
 * signals it, a sandbox that has stopped) it leaves to client.py by execv: same pid, same parent, same stdio.
 *
 * server.py's install() appends to a copy of this binary "<server address>\0<python client>\0" and that trailer's
 * length as 8 decimal digits: one cached build serves every sandbox. build.py defines NETWORK_ENV, LATENCY_ENV and
 * RUN_HERE from client.py, so the lists live in one place.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#if !defined(NETWORK_ENV) || !defined(LATENCY_ENV) || !defined(RUN_HERE)
#error "build with bootstrap/sandbox/akka/build.py, which defines NETWORK_ENV, LATENCY_ENV and RUN_HERE"
#endif

extern char **environ;

static const char *const network_env[] = {NETWORK_ENV, NULL};

struct buffer {
    char *data;
    size_t size, capacity;
};

static void append(struct buffer *b, const void *data, size_t size) {
    if (b->size + size > b->capacity) {
        b->capacity = (b->size + size) * 2 + 4096;
        b->data = realloc(b->data, b->capacity);
        if (b->data == NULL) {
            fputs("akka (sandbox stand-in): out of memory\n", stderr);
            exit(70);
        }
    }
    memcpy(b->data + b->size, data, size);
    b->size += size;
}

/* One field: its length as 4 bytes, big-endian, then the bytes (wire.py). */
static void field(struct buffer *b, const char *data, size_t size) {
    unsigned char length[4] = {(unsigned char)(size >> 24), (unsigned char)(size >> 16), (unsigned char)(size >> 8),
                               (unsigned char)size};
    append(b, length, 4);
    append(b, data, size);
}

static void text(struct buffer *b, const char *s) { field(b, s, strlen(s)); }

/* The next field of an answer; 0 when the answer ends or is cut short. */
static int next(const char **at, const char *end, const char **data, size_t *size) {
    const unsigned char *p = (const unsigned char *)*at;
    if (end - *at < 4)
        return 0;
    *size = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | (size_t)p[3];
    if ((size_t)(end - *at - 4) < *size)
        return 0;
    *data = *at + 4;
    *at += 4 + *size;
    return 1;
}

/* client.py's handed(): HOME, the network settings and akka's own variables with their values; regboot's variables
 * by name only, since a password's value must never leave this process. */
static void handed(struct buffer *b) {
    for (char **entry = environ; *entry; entry++) {
        const char *eq = strchr(*entry, '=');
        if (eq == NULL)
            continue;
        size_t length = (size_t)(eq - *entry);
        int wanted = (length == 4 && strncmp(*entry, "HOME", 4) == 0) || strncmp(*entry, "AKKA_", 5) == 0;
        for (const char *const *name = network_env; !wanted && *name; name++)
            wanted = strlen(*name) == length && strncmp(*entry, *name, length) == 0;
        if (wanted) {
            field(b, *entry, length);
            text(b, eq + 1);
        } else if (strncmp(*entry, "REGBOOT_", 8) == 0) {
            field(b, *entry, length);
            field(b, "", 0);
        }
    }
}

/* This file's own path: where install() put the trailer. /proc/self/exe is exact on Linux; elsewhere, argv[0] as
 * the shell found it. */
static int open_self(const char *argv0) {
    int fd = open("/proc/self/exe", O_RDONLY);
    if (fd >= 0 || strchr(argv0, '/'))
        return fd >= 0 ? fd : open(argv0, O_RDONLY);
    const char *path = getenv("PATH");
    char candidate[4096];
    for (const char *dir = path ? path : ""; *dir;) {
        size_t length = strcspn(dir, ":");
        if (length > 0 && length + strlen(argv0) + 2 <= sizeof candidate) {
            snprintf(candidate, sizeof candidate, "%.*s/%s", (int)length, dir, argv0);
            if (access(candidate, X_OK) == 0)
                return open(candidate, O_RDONLY);
        }
        dir += length + (dir[length] == ':');
    }
    return -1;
}

/* The trailer install() wrote: the server's address ("" for none) and the Python client's path. */
static int trailer(const char *argv0, char *into, size_t room, const char **address, const char **script) {
    char digits[9] = {0};
    int fd = open_self(argv0);
    if (fd < 0 || lseek(fd, -8, SEEK_END) < 0 || read(fd, digits, 8) != 8)
        return 0;
    long size = strtol(digits, NULL, 10);
    if (size < 2 || (size_t)size >= room || lseek(fd, -8 - size, SEEK_END) < 0 || read(fd, into, (size_t)size) != size)
        return 0;
    close(fd);
    into[size] = '\0';
    *address = into;
    *script = into + strlen(into) + 1;
    return *script < into + size;
}

/* The command runs in this process after all: client.py takes over, with `began` when it must not ask the server. */
static void run_in_python(const char *script, char **argv, const char *began) {
    if (began)
        setenv(RUN_HERE, began, 1);
    argv[0] = (char *)script;
    execv(script, argv);
    fprintf(stderr, "akka (sandbox stand-in): cannot run %s: %s\n", script, strerror(errno));
    exit(70);
}

static int send_all(int fd, const char *data, size_t size) {
    while (size > 0) {
        ssize_t sent = send(fd, data, size, MSG_NOSIGNAL); /* a server gone mid-request is an error, not a SIGPIPE */
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0)
            return 0;
        data += sent;
        size -= (size_t)sent;
    }
    return 1;
}

static void write_all(int fd, const char *data, size_t size) {
    while (size > 0) {
        ssize_t written = write(fd, data, size);
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0)
            return;
        data += written;
        size -= (size_t)written;
    }
}

static void pause_for(double seconds) {
    if (seconds <= 0)
        return;
    struct timespec wait = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&wait, &wait) < 0 && errno == EINTR)
        ;
}

/* client.py's reaches_platform: not help, `version` or `config`, which the real CLI answers locally. */
static int reaches_platform(int argc, char **argv) {
    const char *first = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 0;
        if (first == NULL && argv[i][0] != '-')
            first = argv[i];
    }
    return first != NULL && strcmp(first, "config") != 0 && strcmp(first, "version") != 0 && strcmp(first, "help") != 0;
}

static int broken(const char *what) {
    fprintf(stderr, "akka (sandbox stand-in): %s\n", what);
    return 70;
}

int main(int argc, char **argv) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now); /* first thing: the call log's `began` covers all of this process's work */
    char began[32];
    snprintf(began, sizeof began, "%lld.%06ld", (long long)now.tv_sec, now.tv_nsec / 1000);

    char room[4096];
    const char *address, *script;
    if (!trailer(argv[0], room, sizeof room, &address, &script))
        return broken("this executable carries no sandbox address: install it with bootstrap.sandbox.akka.server");
    const char *latency = getenv(LATENCY_ENV);
    if (latency && *latency && reaches_platform(argc, argv)) { /* the platform's round trip (sandbox/latency.py) */
        char *rest;
        double ms = strtod(latency, &rest);
        if (rest == latency || *rest)
            run_in_python(script, argv, NULL); /* not a number: client.py says so, as it always has */
        pause_for(ms > 0 ? ms / 1000 : 0);
    }
    if (!*address)
        run_in_python(script, argv, began);

    struct sockaddr_un server = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || strlen(address) >= sizeof server.sun_path)
        run_in_python(script, argv, NULL);
    memcpy(server.sun_path, address, strlen(address) + 1);
    if (connect(fd, (struct sockaddr *)&server, sizeof server) < 0) {
        /* no server (the sandbox has stopped): run it here, as client.py does; any other failure client.py reports */
        run_in_python(script, argv, errno == ENOENT || errno == ECONNREFUSED ? began : NULL);
    }

    struct buffer request = {0};
    char caller[24], count[24];
    snprintf(caller, sizeof caller, "%ld", (long)getppid());
    snprintf(count, sizeof count, "%d", argc - 1);
    text(&request, began);
    text(&request, caller);
    text(&request, count);
    for (int i = 1; i < argc; i++)
        text(&request, argv[i]);
    handed(&request);
    if (!send_all(fd, request.data, request.size) || shutdown(fd, SHUT_WR) < 0)
        return broken("the sandbox's akka server closed the connection before the request was sent");

    struct buffer answer = {0};
    char chunk[65536];
    for (ssize_t got; (got = read(fd, chunk, sizeof chunk)) != 0;) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return broken("the sandbox's akka server's answer could not be read");
        append(&answer, chunk, (size_t)got);
    }
    close(fd);

    /* b"local" alone, or b"done", code, late, out, err, garbage */
    const char *at = answer.data, *end = answer.data + answer.size, *kind, *code, *late, *out, *err, *garbage;
    size_t kind_n, code_n, late_n, out_n, err_n, garbage_n;
    if (!next(&at, end, &kind, &kind_n))
        return broken("the sandbox's akka server gave no answer");
    if (kind_n == 5 && memcmp(kind, "local", 5) == 0)
        run_in_python(script, argv, began); /* a fault that hangs or signals this very process */
    if (!next(&at, end, &code, &code_n) || !next(&at, end, &late, &late_n) || !next(&at, end, &out, &out_n) ||
        !next(&at, end, &err, &err_n) || !next(&at, end, &garbage, &garbage_n) || code_n > 20 || late_n > 40)
        return broken("the sandbox's akka server's answer is cut short");

    char number[41];
    memcpy(number, late, late_n);
    number[late_n] = '\0';
    pause_for(strtod(number, NULL)); /* saved and unlocked: what a caller that gives up now misses is the answer */
    write_all(1, out, out_n);
    write_all(2, err, err_n);
    write_all(1, garbage, garbage_n);
    memcpy(number, code, code_n);
    number[code_n] = '\0';
    return (int)strtol(number, NULL, 10);
}
