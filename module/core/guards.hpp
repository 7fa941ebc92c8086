// SPDX-License-Identifier: GPL-2.0
// Guards over the kernel's references, locks and buffers, in the manner of the kernel's Rust
// `Guard` and `ARef`: a guard holds its resource for its whole life, or does not exist. Each is
// made by a factory that returns a Maybe: the guard, or the -errno that kept it from being
// taken. Guards are moved, never copied; whatever path a command takes out of the core, every
// guard that exists gives back what it holds, in the reverse order of taking.
#pragma once

#include "errno.h"
#include "os.h"
#include "types.hpp"

namespace rs {

// A guard (or any value), or the -errno that kept it from existing. Like Rust's Result.
template <class T>
class [[nodiscard]] Maybe {
public:
	Maybe(T &&v) : err_(0) { new (storage_) T(static_cast<T &&>(v)); } // NOLINT(google-explicit-constructor)
	static Maybe error(int err) { return Maybe(err); }
	Maybe(Maybe &&o) : err_(o.err_)
	{
		if (!err_)
			new (storage_) T(static_cast<T &&>(o.get()));
	}
	Maybe(const Maybe &) = delete;
	Maybe &operator=(const Maybe &) = delete;
	Maybe &operator=(Maybe &&o)
	{
		if (this != &o) {
			this->~Maybe();
			new (this) Maybe(static_cast<Maybe &&>(o));
		}
		return *this;
	}
	~Maybe()
	{
		if (!err_)
			get().~T();
	}
	explicit operator bool() const { return err_ == 0; }
	int error() const { return err_; }
	T &get() { return *reinterpret_cast<T *>(storage_); }
	const T &get() const { return *reinterpret_cast<const T *>(storage_); }
	T *operator->() { return &get(); }
	const T *operator->() const { return &get(); }

private:
	explicit Maybe(int err) : err_(err ? err : -RS_EINVAL) {}
	alignas(T) unsigned char storage_[sizeof(T)];
	int err_;
};

// Owns one T until it is given back with Release: the shape every guard below shares, as
// Rust's `ARef` and `Guard` share theirs. Only the guard's own factory can make one.
template <class T, void (*Release)(T *)>
class Owned {
public:
	Owned(Owned &&o) : p_(o.p_) { o.p_ = nullptr; }
	Owned(const Owned &) = delete;
	Owned &operator=(const Owned &) = delete;
	~Owned()
	{
		if (p_)
			Release(p_);
	}
	T *get() const { return p_; }

protected:
	explicit Owned(T *p) : p_(p) {}

private:
	T *p_;
};

// Owns one folio reference, taken by the resolver (rs_os_target_*).
class FolioRef : public Owned<rs_folio, rs_os_folio_put> {
public:
	// The folio cmd's target names, referenced; or the resolver's -errno, with msg.
	static Maybe<FolioRef> resolve(bool by_pfn, unsigned long pfn, int pid, unsigned long addr, char *msg,
				       usize cap)
	{
		rs_folio *f = nullptr;
		int r = by_pfn ? rs_os_target_pfn(pfn, &f, msg, cap) : rs_os_target_pid_addr(pid, addr, &f, msg, cap);
		if (r)
			return Maybe<FolioRef>::error(r);
		return FolioRef(f);
	}

private:
	using Owned::Owned;
};

// Holds the folio lock.
class FolioLock : public Owned<rs_folio, rs_os_folio_unlock> {
public:
	// The folio locked; or -RS_EINTR when a fatal signal interrupted the wait.
	static Maybe<FolioLock> take(rs_folio *f)
	{
		int r = rs_os_folio_lock_killable(f);
		if (r)
			return Maybe<FolioLock>::error(r);
		return FolioLock(f);
	}

private:
	using Owned::Owned;
};

// Holds a folio off its LRU list, as reclaim does around folio_referenced(). Take it before the
// FolioLock (so the lock is dropped first: reclaim unlocks, then puts back).
class LruIsolation : public Owned<rs_folio, rs_os_folio_putback> {
public:
	// The folio isolated; or the -errno (with msg) that kept it on its list.
	static Maybe<LruIsolation> take(rs_folio *f, char *msg, usize cap)
	{
		int r = rs_os_folio_isolate(f, msg, cap);
		if (r)
			return Maybe<LruIsolation>::error(r);
		return LruIsolation(f);
	}

private:
	using Owned::Owned;
};

// Owns a walk's preallocated records and the references the walk took.
class WalkBuffer : public Owned<rs_walk, rs_os_walk_free> {
public:
	// Room for max records; or -RS_ENOMEM. all_owners: name every process of each mm.
	static Maybe<WalkBuffer> make(unsigned int max, int all_owners)
	{
		rs_walk *w = rs_os_walk_new(max, all_owners);
		if (!w)
			return Maybe<WalkBuffer>::error(-RS_ENOMEM);
		return WalkBuffer(w);
	}
	const rs_walk_result &result() const { return *rs_os_walk_result(get()); }

private:
	using Owned::Owned;
};

// Owns n bytes (at least one) from Alloc, given back with Free.
template <void *(*Alloc)(usize), void (*Free)(void *)>
class Buffer : public Owned<void, Free> {
public:
	// n bytes; or -RS_ENOMEM.
	static Maybe<Buffer> make(usize n)
	{
		void *p = Alloc(n ? n : 1);
		if (!p)
			return Maybe<Buffer>::error(-RS_ENOMEM);
		return Buffer(p);
	}
	template <class T>
	T *as() const
	{
		return static_cast<T *>(this->get());
	}

private:
	explicit Buffer(void *p) : Owned<void, Free>(p) {}
};

// A buffer from rs_os_valloc() (a range scan's page lines, unmap's "gone" marks).
using VBuffer = Buffer<rs_os_valloc, rs_os_vfree>;
// A command's fixed-size table from rs_os_scratch() (share's peers, phys's owners and sets).
using Scratch = Buffer<rs_os_scratch, rs_os_scratch_free>;

} // namespace rs
