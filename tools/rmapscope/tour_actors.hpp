// SPDX-License-Identifier: GPL-2.0
// The tour's actors: processes that map, write, fork and exit when told to, so that a scenario
// (a parent, its child, a grandchild...) can be built one step at a time and inspected between
// steps. They talk through a MAP_SHARED mailbox with a futex per slot, and do nothing else.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace rmapscope {

enum class ActorOp : int {
	None,
	MapAnon,	// a = bytes, b = MapFlags; returns the address
	Write,		// a = address, b = bytes, c = byte value
	Read,		// a = address; returns the byte
	Fork,		// a = slot of the child actor; returns its pid
	Exit,
	MapFile,	// path, a = pages, b = page offset; returns the address
	Mprotect,	// a = address, b = bytes, c = prot
};

enum MapFlags : uint64_t {
	kNoHuge = 1,	// MADV_NOHUGEPAGE
	kHuge = 2,	// 2 MiB aligned, MADV_HUGEPAGE
	kMergeable = 4, // MADV_MERGEABLE
	kShared = 8,	// MAP_SHARED (shmem)
};

class Actors {
public:
	static constexpr int kSlots = 8;
	Actors();
	~Actors();
	Actors(const Actors &) = delete;
	Actors &operator=(const Actors &) = delete;

	// A new actor forked from this process, in slot.
	pid_t spawn(int slot);
	// Has actor `slot` do op; returns its result (-1 with errno-like failure for a failed op).
	int64_t call(int slot, ActorOp op, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0, const std::string &path = "");
	pid_t pid(int slot) const;
	// Actor `slot` exits; returns once its pid is gone.
	void exit(int slot);

private:
	struct Box;
	Box *box_;
};

} // namespace rmapscope
