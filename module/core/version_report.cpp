// SPDX-License-Identifier: GPL-2.0
// The text of the debugfs "version" file (format in docs/debugfs.md).
#include "core.h"
#include "errno.h"
#include "text_writer.hpp"
#include "../../include/rmapscope/abi.h"

extern "C" long rs_core_format_version(char *buf, rs::usize cap, const struct rs_version_info *info)
{
	rs::TextWriter w(buf, cap);

	w.str("rmapscope").kv("version", RMAPSCOPE_VERSION).kv_dec("abi", RMAPSCOPE_ABI_VERSION).endl();
	w.str("kernel").kv("release", info->kernel_release).kv("arch", info->arch).endl();
	w.str("cf").kv("kind", info->cf_kind).kv_bool("enforced", info->cf_enforced != 0)
		.kv("call_mode", info->call_mode).endl();
	w.str("lockdown").kv("mode", info->lockdown).endl();
	w.str("mm").kv("mapcount", info->mapcount).kv_bool("per_vma_lock", info->per_vma_lock != 0).endl();
	static constexpr const char *kHeld[] = {
#define RS_HELD_NAME(id, name) name,
		RS_OUTSTANDING(RS_HELD_NAME)
#undef RS_HELD_NAME
	};
	static_assert(sizeof(kHeld) / sizeof(kHeld[0]) == RS_NR_OUTSTANDING);
	w.str("outstanding");
	for (int k = 0; k < RS_NR_OUTSTANDING; ++k)
		w.kv_dec(kHeld[k], static_cast<rs::u64>(info->outstanding[k]));
	w.endl();
	for (unsigned int i = 0; i < info->nr_features; ++i)
		w.str("feature").kv("name", info->features[i].name)
			.kv_bool("detected", info->features[i].detected != 0).endl();
	for (unsigned int i = 0; i < info->nr_symbols; ++i) {
		const rs_symbol_status &s = info->symbols[i];
		w.str("symbol").kv("name", s.name).kv_bool("resolved", s.resolved != 0)
			.kv_bool("required", s.required != 0).kv("entry", s.entry).kv("path", s.path)
			.endl();
	}
	if (w.overflowed())
		return -RS_ENOSPC;
	return static_cast<long>(w.size());
}
