// SPDX-License-Identifier: GPL-2.0
// A heapsort of a plain array for the reports: no allocation, no recursion, and no comparison
// through a function pointer (the freestanding core has no <algorithm>).
#pragma once

#include "types.hpp"

namespace rs {

// Sorts p[0, n) so that no element comes after one it is before(x, y).
template <class T, class Before> void heap_sort(T *p, usize n, Before before)
{
	auto sift = [&](usize i, usize end) {
		for (;;) {
			usize last = i, l = 2 * i + 1, r = l + 1;
			if (l < end && before(p[last], p[l]))
				last = l;
			if (r < end && before(p[last], p[r]))
				last = r;
			if (last == i)
				return;
			T t = p[i];
			p[i] = p[last];
			p[last] = t;
			i = last;
		}
	};
	for (usize i = n / 2; i-- > 0;)
		sift(i, n);
	for (usize i = n; i-- > 1;) {
		T t = p[0];
		p[0] = p[i];
		p[i] = t;
		sift(0, i);
	}
}

} // namespace rs
