// SPDX-License-Identifier: GPL-2.0
// From an observation of the reverse map (observation.h) to share's and phys's figures, with
// smaps' arithmetic (fs/proc/task_mmu.c smaps_account()): each page's share of PSS is
// PAGE_SIZE << RS_PSS_SHIFT divided by the entries that map it, and it is shared when two or
// more entries map it. Every other process is counted once per page, however many of its
// entries, or of the target's, map that page.
//
// The work is per word of the position bitmaps wherever it can be: a page shared by every
// process of a large fork tree is the common case, and costs one word operation per process.
#include "observation.h"

#include "sort.hpp"
#include "types.hpp"

namespace rs {
namespace {

constexpr usize kBits = 8 * sizeof(unsigned long);
static_assert(kBits == 64, "the population count below is for 64-bit words");

bool test(const unsigned long *b, usize i)
{
	return b[i / kBits] >> (i % kBits) & 1;
}

void set(unsigned long *b, usize i)
{
	b[i / kBits] |= 1UL << (i % kBits);
}

// A population count in plain arithmetic: __builtin_popcountl can become a libgcc call that the
// kernel does not link (x86-64 before POPCNT). Empty and full words, the common ones (a page
// nobody else maps, a page a whole fork tree maps), are answered first.
unsigned popcount(unsigned long x)
{
	if (x == 0 || x == ~0UL)
		return x ? 64 : 0;
	x = x - ((x >> 1) & 0x5555555555555555UL);
	x = (x & 0x3333333333333333UL) + ((x >> 2) & 0x3333333333333333UL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
	return static_cast<unsigned>((x * 0x0101010101010101UL) >> 56);
}

// Bits set in a & b (b may be null: a alone).
unsigned long count(const unsigned long *a, const unsigned long *b, usize n)
{
	unsigned long c = 0;
	for (usize w = 0; w < RS_OBS_WORDS(n); ++w)
		c += popcount(a[w] & (b ? b[w] : ~0UL));
	return c;
}

// Calls fn(i) for every bit set in a & b.
template <class Fn> void each_bit(const unsigned long *a, const unsigned long *b, usize n, Fn fn)
{
	for (usize w = 0; w < RS_OBS_WORDS(n); ++w)
		for (unsigned long x = a[w] & b[w]; x; x &= x - 1)
			fn(w * kBits + static_cast<usize>(__builtin_ctzl(x)));
}

// a covers every bit of mask.
bool covers(const unsigned long *a, const unsigned long *mask, usize n)
{
	for (usize w = 0; w < RS_OBS_WORDS(n); ++w)
		if ((a[w] & mask[w]) != mask[w])
			return false;
	return true;
}

// a and b hold the same bits (a fork tree's maps of one page table usually do).
bool same(const unsigned long *a, const unsigned long *b, usize n)
{
	if (a == b)
		return true;
	for (usize w = 0; w < RS_OBS_WORDS(n); ++w)
		if (a[w] != b[w])
			return false;
	return true;
}

// The figures of a group of one map are those of the group before it when both maps map the
// same positions (and, for phys, have the same young ones): they are a function of the bitmaps
// alone within one observation. A fork tree's maps are the common case, and the comparison
// costs a word per word, not the several passes the figures take.
struct Reuse {
	const rs_obs_map *prev = nullptr;
	rs_share_peer d{};

	const rs_share_peer *find(const rs_obs &o, unsigned i, unsigned e, bool young) const
	{
		if (e != i + 1 || !prev)
			return nullptr;
		const rs_obs_map &m = o.maps[o.order[i]];
		if (!same(m.pages, prev->pages, o.n) || (young && !same(m.young, prev->young, o.n)))
			return nullptr;
		return &d;
	}
	void keep(const rs_obs &o, unsigned i, unsigned e, const rs_share_peer &figures)
	{
		prev = e == i + 1 ? &o.maps[o.order[i]] : nullptr;
		d = figures;
	}
};

void zero(unsigned long *b, usize n)
{
	for (usize w = 0; w < RS_OBS_WORDS(n); ++w)
		b[w] = 0;
}

// Each position's share of PSS, as smaps_account() computes it. Neighbours mostly have the same
// count (a fork tree's pages all do): one division per run of equal counts, not per page.
void units(const rs_obs &o)
{
	const unsigned long long page = 1ULL << o.page_shift << RS_PSS_SHIFT;
	unsigned last = 1;
	unsigned long long u = page;
	for (unsigned j = 0; j < o.n; ++j) {
		if (o.counts[j] != last) {
			last = o.counts[j];
			u = last >= 2 ? page / last : page;
		}
		o.unit[j] = u;
	}
}

// The maps of other processes (all of them with all = true), by mm, in o.order; how many.
unsigned sorted_maps(const rs_obs &o, bool all)
{
	unsigned n = 0;
	for (unsigned m = 0; m < o.nmaps; ++m)
		if (all || !o.maps[m].target)
			o.order[n++] = m;
	heap_sort(o.order, n, [&](unsigned a, unsigned b) { return o.maps[a].mm < o.maps[b].mm; });
	return n;
}

// The end of the group of maps of one mm that starts at order[i].
unsigned group_end(const rs_obs &o, unsigned i, unsigned n)
{
	unsigned e = i + 1;
	while (e < n && o.maps[o.order[e]].mm == o.maps[o.order[i]].mm)
		++e;
	return e;
}

// The pages the maps of a group map: the one map's own bitmap, or theirs ORed into scratch.
const unsigned long *group_or(const rs_obs &o, unsigned i, unsigned e, unsigned long *scratch, bool young)
{
	const auto bitmap = [&](unsigned k) { return young ? o.maps[o.order[k]].young : o.maps[o.order[k]].pages; };
	if (e == i + 1)
		return bitmap(i);
	zero(scratch, o.n);
	for (unsigned k = i; k < e; ++k)
		for (usize w = 0; w < RS_OBS_WORDS(o.n); ++w)
			scratch[w] |= bitmap(k)[w];
	return scratch;
}

// g & mask into out.
void and_into(unsigned long *out, const unsigned long *g, const unsigned long *mask, usize n)
{
	for (usize w = 0; w < RS_OBS_WORDS(n); ++w)
		out[w] = g[w] & mask[w];
}

// The PSS the maps of a group add over the positions in mask (whose total is all): every entry
// counts, and a map that covers the whole mask adds all at once.
unsigned long long group_pss(const rs_obs &o, unsigned i, unsigned e, const unsigned long *mask,
			     unsigned long long all)
{
	unsigned long long pss = 0;
	for (unsigned k = i; k < e; ++k) {
		const unsigned long *pages = o.maps[o.order[k]].pages;
		if (covers(pages, mask, o.n))
			pss += all;
		else
			each_bit(pages, mask, o.n, [&](usize j) { pss += o.unit[j]; });
	}
	return pss;
}

// The positions with a flag (and, with also, the flag also), into b.
void positions(const rs_obs &o, unsigned char flag, unsigned long *b)
{
	zero(b, o.n);
	for (unsigned j = 0; j < o.n; ++j)
		if ((o.flags[j] & flag) == flag)
			set(b, j);
}

// phys sets=1: the mapped pages of an observation split by the set of deltas (processes) that
// map them, by partition refinement: all mapped positions start in one class; each delta's
// positions split every class they cut into the part it maps (the delta joins its members) and
// the part it does not. One class per distinct set of mappers, found with a few word operations
// per class per delta, never a pair of processes: a page 253 processes map is one class of 253.
// A class's members are a list of cells shared with the class it split from (the members before
// the split are the same), so a split costs one cell, not a copy.
class Classes {
public:
	Classes(rs_obs_classes *c, const rs_obs &o, const unsigned long *mask, const unsigned long *thp)
		: c_(c), o_(o), thp_(thp)
	{
		if (!c_)
			return;
		c_->ncls = 0;
		c_->overflow = o.n > c_->cap;	// the caller's room is for every position
		if (c_->overflow)
			return;
		words_ = RS_OBS_WORDS(o.n);
		// Every mapped position: the first class, with no member yet.
		unsigned long *m = c_->masks;
		bool any = false;
		for (usize w = 0; w < words_; ++w) {
			m[w] = 0;
			for (usize b = 0; b < kBits && w * kBits + b < o.n; ++b) {
				usize j = w * kBits + b;
				if (test(mask, j) && o.counts[j])
					m[w] |= 1UL << b;
			}
			any |= m[w] != 0;
		}
		if (any) {
			c_->cls[0] = rs_obs_class{};
			c_->heads[0] = kNil;
			c_->ncls = 1;
		}
	}

	bool on() const { return c_ != nullptr; }

	// Delta d maps the positions in g.
	void split(const unsigned long *g, unsigned d)
	{
		if (!c_ || c_->overflow)
			return;
		const unsigned n = c_->ncls;
		for (unsigned k = 0; k < n; ++k) {
			unsigned long *m = c_->masks + k * words_;
			bool in = false, out = false;
			for (usize w = 0; w < words_; ++w) {
				in |= (m[w] & g[w]) != 0;
				out |= (m[w] & ~g[w]) != 0;
			}
			if (!in)
				continue;
			if (cells_ == c_->cells_cap) {
				c_->overflow = 1;
				return;
			}
			const unsigned cell = cells_++;
			c_->cells[2 * cell] = d;
			c_->cells[2 * cell + 1] = c_->heads[k];
			if (out) {
				// The part d does not map keeps the members so far; this part gains d.
				unsigned long *m2 = c_->masks + c_->ncls * words_;
				for (usize w = 0; w < words_; ++w) {
					m2[w] = m[w] & ~g[w];
					m[w] &= g[w];
				}
				c_->heads[c_->ncls++] = c_->heads[k];
			}
			c_->heads[k] = cell;
		}
	}

	// Each class's pages and members, flattened.
	void finish()
	{
		if (!c_ || c_->overflow) {
			if (c_)
				c_->ncls = 0;
			return;
		}
		unsigned used = 0, out = 0;
		for (unsigned k = 0; k < c_->ncls; ++k) {
			if (c_->heads[k] == kNil)
				continue;	// cannot happen: every mapped position has a mapper
			const unsigned long *m = c_->masks + k * words_;
			rs_obs_class &cl = c_->cls[out];
			cl.pages = count(m, nullptr, o_.n);
			cl.thp = count(m, thp_, o_.n);
			cl.first = used;
			cl.n = 0;
			for (unsigned cell = c_->heads[k]; cell != kNil; cell = c_->cells[2 * cell + 1]) {
				if (used == c_->members_cap) {
					c_->overflow = 1;
					c_->ncls = 0;
					return;
				}
				c_->members[used++] = c_->cells[2 * cell];
				cl.n++;
			}
			++out;
		}
		c_->ncls = out;
	}

private:
	static constexpr unsigned kNil = ~0U;
	rs_obs_classes *c_;
	const rs_obs &o_;
	const unsigned long *thp_;
	usize words_ = 0;
	unsigned cells_ = 0;
};

} // namespace
} // namespace rs

extern "C" unsigned int rs_core_share_observe(rs_share_result *res, const rs_obs *o, rs_obs_delta *out)
{
	using namespace rs;
	const usize words = RS_OBS_WORDS(o->n);
	unsigned long *mask = o->bits, *g = mask + words, *thp = g + words;
	unsigned long long all = 0;
	units(*o);
	zero(mask, o->n);
	for (unsigned j = 0; j < o->n; ++j) {
		unsigned char f = o->flags[j];
		if (!(f & RS_POS_PAGE))
			continue;
		if (!(f & RS_POS_MINE)) {
			res->skips[RS_SS_RACED]++;	// its own entry no longer maps it there
			continue;
		}
		res->rss++;
		res->pss += o->unit[j];
		res->kind[o->kind]++;
		res->thp += !!(f & RS_POS_THP);
		bool dirty = f & RS_POS_DIRTY;
		if (o->counts[j] < 2) {
			res->uss++;
			*(dirty ? &res->private_dirty : &res->private_clean) += 1;
		} else {
			*(dirty ? &res->shared_dirty : &res->shared_clean) += 1;
		}
		// Other processes are counted at the target's first mapping of a page only.
		if (f & RS_POS_FIRST) {
			set(mask, j);
			all += o->unit[j];
		}
	}
	positions(*o, RS_POS_THP, thp);

	unsigned nd = 0, n = sorted_maps(*o, false);
	Reuse reuse;
	for (unsigned i = 0, e; i < n; i = e) {
		e = group_end(*o, i, n);
		rs_obs_delta &d = out[nd];
		d.mm = o->maps[o->order[i]].mm;
		if (const rs_share_peer *r = reuse.find(*o, i, e, false)) {
			d.d = *r;
		} else {
			and_into(g, group_or(*o, i, e, g, false), mask, o->n);
			d.d = rs_share_peer{};
			d.d.pages = count(g, nullptr, o->n);
			d.d.thp = count(g, thp, o->n);
			d.d.kind[o->kind] = d.d.pages;
			d.d.pss = d.d.pages ? group_pss(*o, i, e, mask, all) : 0;
			reuse.keep(*o, i, e, d.d);
		}
		nd += d.d.pages != 0;
	}
	return nd;
}

extern "C" unsigned int rs_core_phys_observe(rs_phys_result *res, rs_phys_file *file, const rs_obs *o,
					     rs_obs_delta *out, rs_obs_classes *classes)
{
	using namespace rs;
	const usize words = RS_OBS_WORDS(o->n);
	unsigned long *g = o->bits, *y = g + words, *m1 = y + words, *m2 = m1 + words, *mask = m2 + words,
		      *thp = mask + words, *priv = thp + words;
	units(*o);
	unsigned n = sorted_maps(*o, true);

	// Positions two different mms map: m1 holds those one group maps, m2 those two do.
	zero(m1, o->n);
	zero(m2, o->n);
	for (unsigned i = 0, e; i < n; i = e) {
		e = group_end(*o, i, n);
		const unsigned long *pages = group_or(*o, i, e, g, false);
		for (usize w = 0; w < words; ++w) {
			m2[w] |= m1[w] & pages[w];
			m1[w] |= pages[w];
		}
	}
	unsigned long long all = 0;
	zero(mask, o->n);
	zero(priv, o->n);
	for (unsigned j = 0; j < o->n; ++j) {
		if (!(o->flags[j] & RS_POS_PAGE))
			continue;
		set(mask, j);	// the pages of this observation: every owner's figures are over them
		all += o->unit[j];
		if (!o->counts[j]) {
			res->unmapped++;
			continue;
		}
		if (o->counts[j] == 1)
			set(priv, j);	// smaps' private: one entry maps it
		bool multi = test(m2, j);
		res->mapped++;
		res->kind[o->kind]++;
		res->thp += !!(o->flags[j] & RS_POS_THP);
		res->shared += multi;
		if (file) {
			file->pages++;
			file->shared += multi;
		}
	}
	positions(*o, RS_POS_THP | RS_POS_PAGE, thp);

	Classes cls(classes, *o, mask, thp);
	unsigned nd = 0;
	Reuse reuse;
	for (unsigned i = 0, e; i < n; i = e) {
		e = group_end(*o, i, n);
		rs_obs_delta &d = out[nd];
		d.mm = o->maps[o->order[i]].mm;
		const rs_share_peer *r = reuse.find(*o, i, e, true);
		if (!r || cls.on())
			and_into(g, group_or(*o, i, e, g, false), mask, o->n);
		if (r) {
			d.d = *r;
		} else {
			const unsigned long *young = group_or(*o, i, e, y, true);
			d.d = rs_share_peer{};
			d.d.pages = count(g, nullptr, o->n);
			d.d.thp = count(g, thp, o->n);
			d.d.shared = count(g, m2, o->n);
			d.d.young = count(g, young, o->n);
			d.d.kind[o->kind] = d.d.pages;
			d.d.pss = d.d.pages ? group_pss(*o, i, e, mask, all) : 0;
			// smaps counts every entry: a page the process maps twice is twice in its Rss.
			for (unsigned k = i; k < e && d.d.pages; ++k) {
				d.d.rss += count(o->maps[o->order[k]].pages, mask, o->n);
				d.d.uss += count(o->maps[o->order[k]].pages, priv, o->n);
			}
			reuse.keep(*o, i, e, d.d);
		}
		if (d.d.pages)
			cls.split(g, nd);
		nd += d.d.pages != 0;
	}
	cls.finish();
	return nd;
}

extern "C" void rs_core_obs_add(rs_share_peer *to, const rs_share_peer *d)
{
	to->pages += d->pages;
	for (int k = 0; k < RS_NR_SHARE_KINDS; ++k)
		to->kind[k] += d->kind[k];
	to->thp += d->thp;
	to->pss += d->pss;
	to->shared += d->shared;
	to->young += d->young;
	to->rss += d->rss;
	to->uss += d->uss;
}
