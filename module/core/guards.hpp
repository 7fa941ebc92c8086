// SPDX-License-Identifier: GPL-2.0
// RAII guards over the kernel's references and locks, through the C ABI: whatever path a command
// takes out of the core, the folio reference, the folio lock and the walk's references go.
#pragma once

#include "os.h"

namespace rs {

// Owns one folio reference.
class FolioRef {
public:
	FolioRef() = default;
	explicit FolioRef(rs_folio *f) : f_(f) {}
	FolioRef(const FolioRef &) = delete;
	FolioRef &operator=(const FolioRef &) = delete;
	~FolioRef()
	{
		if (f_)
			rs_os_folio_put(f_);
	}
	rs_folio *get() const { return f_; }
	rs_folio **out() { return &f_; } // for the resolver to fill; only on an empty guard

private:
	rs_folio *f_ = nullptr;
};

// Holds the folio lock from a successful lock() to the end of the scope.
class FolioLock {
public:
	explicit FolioLock(rs_folio *f) : f_(f) {}
	FolioLock(const FolioLock &) = delete;
	FolioLock &operator=(const FolioLock &) = delete;
	int lock()
	{
		int r = rs_os_folio_lock_killable(f_);
		locked_ = r == 0;
		return r;
	}
	~FolioLock()
	{
		if (locked_)
			rs_os_folio_unlock(f_);
	}

private:
	rs_folio *f_;
	bool locked_ = false;
};

// Owns a walk's preallocated records and the references the walk took.
class WalkBuffer {
public:
	WalkBuffer() : w_(nullptr) {}
	explicit WalkBuffer(unsigned int max) : w_(rs_os_walk_new(max)) {}
	WalkBuffer(const WalkBuffer &) = delete;
	WalkBuffer &operator=(const WalkBuffer &) = delete;
	~WalkBuffer()
	{
		if (w_)
			rs_os_walk_free(w_);
	}
	rs_walk *get() const { return w_; }
	// A fresh buffer of max records (a walk that ran out of room runs again).
	rs_walk *reset(unsigned int max)
	{
		if (w_)
			rs_os_walk_free(w_);
		w_ = rs_os_walk_new(max);
		return w_;
	}

private:
	rs_walk *w_;
};

// Holds a folio off its LRU list from a successful isolate() to the end of the scope.
// Declare it after the FolioRef (so it is put back before the reference goes) and before the
// FolioLock (so the lock is dropped first, as reclaim unlocks before putback).
class LruIsolation {
public:
	explicit LruIsolation(rs_folio *f) : f_(f) {}
	LruIsolation(const LruIsolation &) = delete;
	LruIsolation &operator=(const LruIsolation &) = delete;
	int isolate(char *msg, __SIZE_TYPE__ cap)
	{
		int r = rs_os_folio_isolate(f_, msg, cap);
		isolated_ = r == 0;
		return r;
	}
	~LruIsolation()
	{
		if (isolated_)
			rs_os_folio_putback(f_);
	}

private:
	rs_folio *f_;
	bool isolated_ = false;
};

} // namespace rs
