// nsenter joins namespaces by path before the Go runtime starts: setns(2)
// into a user or mount namespace is refused to a multi-threaded process, and
// the Go runtime is multi-threaded from its first instruction. The runtime's
// init re-exec carries the work list in the environment; without it this
// constructor returns at once and costs one getenv.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/nsfs.h>

#define MAXNS 16
#define MAXCGROUPFDS 32

// fail reports to the parent over the sync socket (one JSON line, the same
// framing the Go side uses) and exits; the parent turns it into an error.
static void fail(const char *what, const char *path, int err) {
	const char *fdstr = getenv("_BERTH_SYNC_FD");
	char buf[1024];
	int n = snprintf(buf, sizeof(buf),
			 "{\"type\":\"error\",\"message\":\"nsenter: %s %s: %s\"}\n",
			 what, path ? path : "", strerror(err));
	if (fdstr != NULL && n > 0) {
		int fd = atoi(fdstr);
		if (write(fd, buf, (size_t)n) < 0) {
		}
	} else {
		fputs(buf, stderr);
	}
	_exit(1);
}

// enter_cgroups moves this process into the container's cgroup v1
// hierarchies. With _BERTH_CGROUPS set, the parent sends one byte on the
// sync socket carrying (SCM_RIGHTS) the tasks files of those hierarchies,
// once it has created them — in parallel with this process's exec. Writing
// "0" moves the calling thread only, which takes no global lock (no RCU
// grace period, unlike a write of a pid to cgroup.procs); as no other
// thread exists yet, every thread the Go runtime starts later inherits the
// cgroups. The fds are closed: none may reach the container.
static void enter_cgroups(void) {
	if (getenv("_BERTH_CGROUPS") == NULL)
		return;
	const char *fdstr = getenv("_BERTH_SYNC_FD");
	if (fdstr == NULL)
		fail("cgroups", "no _BERTH_SYNC_FD", EINVAL);
	char byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(MAXCGROUPFDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	ssize_t n;
	do
		n = recvmsg(atoi(fdstr), &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		fail("receive cgroups", "", errno);
	if (n == 0)
		fail("receive cgroups", "", EPIPE);
	if (msg.msg_flags & MSG_CTRUNC)
		fail("receive cgroups", "", EMSGSIZE);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		int *fds = (int *)CMSG_DATA(c);
		for (int i = 0; i < count; i++) {
			if (write(fds[i], "0", 1) != 1) {
				char what[64];
				snprintf(what, sizeof(what), "tasks (%d of %d)", i + 1, count);
				fail("enter cgroup", what, errno);
			}
			close(fds[i]);
		}
	}
}

__attribute__((constructor)) static void berth_nsenter(void) {
	if (getenv("_BERTH_INIT") == NULL)
		return;
	// Until the final execve, no process of the container may open our
	// /proc/<pid> entries (fds, exe, cwd, mem): they belong to the host.
	// execve of the container's binary makes the process dumpable again.
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fail("prctl", "PR_SET_DUMPABLE", errno);
	enter_cgroups();
	const char *list = getenv("_BERTH_SETNS");
	const char *unshareflags = getenv("_BERTH_UNSHARE");
	if (list == NULL && unshareflags == NULL)
		return;

	// Open every path first: joining the mount namespace changes how later
	// paths resolve. The Go side orders the list (user first, mount last).
	int fds[MAXNS];
	char *paths[MAXNS];
	int n = 0;
	if (list != NULL && *list != '\0') {
		char *copy = strdup(list);
		if (copy == NULL)
			fail("strdup", "", ENOMEM);
		for (char *tok = strtok(copy, ":"); tok != NULL && n < MAXNS; tok = strtok(NULL, ":")) {
			int fd = open(tok, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				fail("open", tok, errno);
			paths[n] = tok;
			fds[n++] = fd;
		}
	}
	for (int i = 0; i < n; i++) {
		int nstype = 0;
		if (ioctl(fds[i], NS_GET_NSTYPE) == CLONE_NEWUSER)
			nstype = CLONE_NEWUSER;
		if (setns(fds[i], 0) < 0)
			fail("setns", paths[i], errno);
		close(fds[i]);
		// Host root is not mapped in a joined user namespace: become
		// its root, or the process has no capabilities there.
		if (nstype == CLONE_NEWUSER) {
			if (setresgid(0, 0, 0) < 0)
				fail("setresgid", "0", errno);
			if (setresuid(0, 0, 0) < 0)
				fail("setresuid", "0", errno);
			setgroups(0, NULL); // refused when setgroups is "deny"
		}
	}
	if (unshareflags != NULL && *unshareflags != '\0') {
		int flags = atoi(unshareflags);
		if (flags != 0 && unshare(flags) < 0)
			fail("unshare", unshareflags, errno);
		// A new pid namespace applies to children only: the init is our
		// child. Report its pid (in the parent's namespace, ours) and go.
		if (flags & CLONE_NEWPID) {
			pid_t child = fork();
			if (child < 0)
				fail("fork", "", errno);
			if (child > 0) {
				const char *fdstr = getenv("_BERTH_SYNC_FD");
				char buf[64];
				int len = snprintf(buf, sizeof(buf), "{\"type\":\"pid\",\"pid\":%d}\n", (int)child);
				if (fdstr == NULL || write(atoi(fdstr), buf, (size_t)len) != len)
					kill(child, SIGKILL);
				_exit(0);
			}
		}
	}
}
