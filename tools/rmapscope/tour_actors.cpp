// SPDX-License-Identifier: GPL-2.0
#include "tour_actors.hpp"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <new>

#include "procs.hpp"

namespace rmapscope {

namespace {

struct Slot {
	std::atomic<int> op;		// ActorOp, None when idle
	std::atomic<int> done;		// bumped when op finishes
	std::atomic<int> pid;
	uint64_t a, b, c;
	int64_t ret;
	char path[256];
};

void futex_wait(std::atomic<int> *w, int val, long ms)
{
	timespec ts{ms / 1000, (ms % 1000) * 1000000};
	syscall(SYS_futex, reinterpret_cast<int *>(w), FUTEX_WAIT, val, &ts, nullptr, 0);
}

void futex_wake(std::atomic<int> *w)
{
	syscall(SYS_futex, reinterpret_cast<int *>(w), FUTEX_WAKE, 1 << 30, nullptr, nullptr, 0);
}

const uint64_t kHugeSize = thp_size(); // PMD-sized: 2 MiB with 4 KiB pages

int64_t map_anon_op(uint64_t len, uint64_t flags)
{
	int share = (flags & kShared) ? MAP_SHARED : MAP_PRIVATE;
	uint64_t map_len = (flags & kHuge) ? len + kHugeSize : len;
	char *p = static_cast<char *>(mmap(nullptr, map_len, PROT_READ | PROT_WRITE, share | MAP_ANONYMOUS, -1, 0));
	if (p == MAP_FAILED)
		return -1;
	if (flags & kHuge) {
		// Keep a PMD-aligned, PMD-sized window (2 MiB with 4 KiB pages), so a PMD can map it.
		char *aligned = reinterpret_cast<char *>((reinterpret_cast<uint64_t>(p) + kHugeSize - 1) & ~(kHugeSize - 1));
		if (aligned > p)
			munmap(p, aligned - p);
		if (aligned + len < p + map_len)
			munmap(aligned + len, p + map_len - (aligned + len));
		p = aligned;
		madvise(p, len, MADV_HUGEPAGE);
	}
	if (flags & kNoHuge)
		madvise(p, len, MADV_NOHUGEPAGE);
	if ((flags & kMergeable) && madvise(p, len, MADV_MERGEABLE) != 0)
		return -1;
	return static_cast<int64_t>(reinterpret_cast<uint64_t>(p));
}

int64_t map_file_op(const char *path, uint64_t pages, uint64_t pgoff)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	void *p = mmap(nullptr, pages * kPage, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(pgoff * kPage));
	close(fd);
	return p == MAP_FAILED ? -1 : static_cast<int64_t>(reinterpret_cast<uint64_t>(p));
}

} // namespace

struct Actors::Box {
	Slot slot[kSlots];
};

namespace {

// An actor: waits for an op, does it, reports, until told to exit, or after five idle
// minutes (so a tour that died cannot leave actors behind for long).
[[noreturn]] void actor_loop(Slot *slots, int me)
{
	Slot &s = slots[me];
	char name[16];
	std::snprintf(name, sizeof(name), "tour-%c", 'A' + me); // the comm the pictures show
	prctl(PR_SET_NAME, name);
	s.pid.store(getpid());
	futex_wake(&s.pid);
	time_t idle_since = time(nullptr);
	for (;;) {
		int op = s.op.load();
		if (op == static_cast<int>(ActorOp::None)) {
			if (time(nullptr) - idle_since > 300)
				_exit(0);
			futex_wait(&s.op, op, 1000);
			continue;
		}
		int64_t ret = 0;
		switch (static_cast<ActorOp>(op)) {
		case ActorOp::MapAnon:
			ret = map_anon_op(s.a, s.b);
			break;
		case ActorOp::Write:
			std::memset(reinterpret_cast<void *>(s.a), static_cast<int>(s.c), s.b);
			break;
		case ActorOp::Read:
			ret = *reinterpret_cast<volatile unsigned char *>(s.a);
			break;
		case ActorOp::Fork: {
			int child = static_cast<int>(s.a);
			slots[child].pid.store(0);
			pid_t p = fork();
			if (p == 0)
				actor_loop(slots, child);
			ret = p;
			while (p > 0 && slots[child].pid.load() == 0)
				futex_wait(&slots[child].pid, 0, 100);
			break;
		}
		case ActorOp::Exit:
			_exit(0);
		case ActorOp::MapFile:
			ret = map_file_op(s.path, s.a, s.b);
			break;
		case ActorOp::Mprotect:
			ret = mprotect(reinterpret_cast<void *>(s.a), s.b, static_cast<int>(s.c));
			break;
		default:
			ret = -1;
		}
		s.ret = ret;
		s.op.store(static_cast<int>(ActorOp::None));
		s.done.fetch_add(1);
		futex_wake(&s.done);
		idle_since = time(nullptr);
	}
}

} // namespace

Actors::Actors()
{
	void *p = mmap(nullptr, sizeof(Box), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	box_ = p == MAP_FAILED ? nullptr : new (p) Box();
	// Orphans (a middle process's children) come back to this process, and nobody leaves a
	// zombie: an actor that exits is gone at once.
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	std::signal(SIGCHLD, SIG_IGN);
}

Actors::~Actors()
{
	if (!box_)
		return;
	for (int i = 0; i < kSlots; ++i)
		if (pid(i) > 0)
			kill(pid(i), SIGKILL);
	for (int i = 0; i < kSlots; ++i)
		for (int t = 0; pid(i) > 0 && kill(pid(i), 0) == 0 && t < 500; ++t)
			usleep(10000);
	std::signal(SIGCHLD, SIG_DFL);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	munmap(box_, sizeof(Box));
}

pid_t Actors::spawn(int slot)
{
	if (!box_)
		return -1;
	box_->slot[slot].pid.store(0);
	pid_t p = fork();
	if (p == 0)
		actor_loop(box_->slot, slot);
	while (p > 0 && box_->slot[slot].pid.load() == 0)
		futex_wait(&box_->slot[slot].pid, 0, 100);
	return p;
}

pid_t Actors::pid(int slot) const
{
	return box_ ? box_->slot[slot].pid.load() : -1;
}

int64_t Actors::call(int slot, ActorOp op, uint64_t a, uint64_t b, uint64_t c, const std::string &path)
{
	if (!box_ || pid(slot) <= 0)
		return -1;
	Slot &s = box_->slot[slot];
	s.a = a;
	s.b = b;
	s.c = c;
	std::snprintf(s.path, sizeof(s.path), "%s", path.c_str());
	int done = s.done.load();
	s.op.store(static_cast<int>(op));
	futex_wake(&s.op);
	for (int t = 0; s.done.load() == done; ++t) {
		if (kill(pid(slot), 0) != 0)
			return -1; // the actor died
		futex_wait(&s.done, done, 100);
	}
	return s.ret;
}

void Actors::exit(int slot)
{
	pid_t p = pid(slot);
	if (p <= 0)
		return;
	Slot &s = box_->slot[slot];
	s.op.store(static_cast<int>(ActorOp::Exit));
	futex_wake(&s.op);
	for (int t = 0; kill(p, 0) == 0 && t < 3000; ++t)
		usleep(10000);
	s.pid.store(0);
}

} // namespace rmapscope
