// SPDX-License-Identifier: GPL-2.0
/* What rmapscope holds right now (held.h). */
#include "held.h"

atomic_long_t rs_held[RS_NR_HELD];

void rs_held_read(long out[RS_NR_HELD])
{
	int k;

	for (k = 0; k < RS_NR_HELD; k++)
		out[k] = atomic_long_read(&rs_held[k]);
}
