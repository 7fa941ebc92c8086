/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points the C++ core offers to module/kernel/. Plain C; the data passed in is described by
 * structs defined here (never kernel structs), filled by the kernel side.
 */
#ifndef RMAPSCOPE_CORE_CORE_H
#define RMAPSCOPE_CORE_CORE_H

#ifdef __cplusplus
extern "C" {
#endif

struct rs_symbol_status {
	const char *name;
	int resolved;		/* 1 when the kernel's symbol was found */
	int required;		/* 1 when the module cannot serve without it */
	const char *entry;	/* pad | sealed | nopad | unchecked */
	const char *path;	/* direct | trampoline | refused */
};

/* One kernel feature module/kernel/probes/ tested for (version's "feature" lines). */
struct rs_feature_status {
	const char *name;
	int detected;
};

/*
 * What the module holds right now, one count per kind (module/kernel/held.h): the version file's
 * "outstanding" line. X(ID, key).
 */
#define RS_OUTSTANDING(X)				\
	X(FOLIO_REFS, "folio_refs")			\
	X(FOLIO_LOCKS, "folio_locks")			\
	X(ISOLATED, "isolated")				\
	X(MM_REFS, "mm_refs")				\
	X(INODE_REFS, "inode_refs")
#define RS_NR_OUTSTANDING 5

struct rs_version_info {
	const char *kernel_release;
	const char *arch;
	const char *cf_kind;	/* ibt | bti | none: what the kernel was built with */
	int cf_enforced;	/* 1 when the CPU enforces landing pads now */
	const char *call_mode;	/* auto | direct | trampoline */
	const char *lockdown;	/* none | integrity | confidentiality */
	const struct rs_symbol_status *symbols;
	unsigned int nr_symbols;
	const char *mapcount;	/* page | page+mm_id | folio: how large folios count mappings */
	int per_vma_lock;	/* 1 with CONFIG_PER_VMA_LOCK */
	const struct rs_feature_status *features;
	unsigned int nr_features;
	long outstanding[RS_NR_OUTSTANDING];	/* RS_OUTSTANDING order */
};

/*
 * Writes the text of the debugfs "version" file into buf (cap bytes, NUL-terminated).
 * Returns the length written, or -RS_ENOSPC when it does not fit.
 */
long rs_core_format_version(char *buf, __SIZE_TYPE__ cap, const struct rs_version_info *info);

struct rs_command;
/*
 * Runs a parsed command (any verb). *out receives the response, allocated with rs_os_valloc() and
 * owned by the caller (rs_os_vfree): the walk's records, or one "error ..." line. Returns the
 * response length, or -errno (with the error line in *out, or *out NULL when even that could
 * not be allocated).
 */
long rs_core_run_command(const struct rs_command *cmd, char **out);

#ifdef __cplusplus
}
#endif

#endif /* RMAPSCOPE_CORE_CORE_H */
