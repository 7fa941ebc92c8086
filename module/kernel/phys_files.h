/* SPDX-License-Identifier: GPL-2.0 */
/*
 * phys's table of files (phys_files.c): one entry per address_space whose pages it counted,
 * named once, when it is made, from a VMA that maps the file, the way /proc/PID/maps names it.
 * The table holds no reference on anything: a mapping pointer is only compared, never followed
 * after the lock that pinned it is dropped, so an umount while phys runs finds nothing of ours.
 */
#ifndef RMAPSCOPE_PHYS_FILES_H
#define RMAPSCOPE_PHYS_FILES_H

#include <linux/fs.h>

#include "../core/phys_report.h"

struct rs_phys_file_slot;

struct rs_phys_files {
	struct rs_phys_result *res;	/* its files[] are the entries */
	struct rs_phys_file_slot *hash;
	unsigned int hashed;
	bool *named;			/* parallel to res->files */
	char *buf;			/* PATH_MAX bytes for d_path() */
};

int rs_phys_files_init(struct rs_phys_files *t, struct rs_phys_result *res);
void rs_phys_files_free(struct rs_phys_files *t);

/*
 * The entry of mapping, made if it is new (NULL: past what the table holds, counted in
 * res->files_dropped once). The caller holds what pins mapping: a lock of one of its folios.
 */
struct rs_phys_file *rs_phys_file(struct rs_phys_files *t, struct address_space *mapping);

/*
 * Names a new entry from vma, a VMA of its file that the caller keeps alive (i_mmap_rwsem held):
 * d_path() of its file, as /proc/PID/maps prints it ("/memfd:x (deleted)", "/SYSV00000000
 * (deleted)", "/dev/zero (deleted)" for shared anonymous memory). Entries named already are
 * left alone.
 */
void rs_phys_file_name(struct rs_phys_files *t, struct rs_phys_file *file, struct vm_area_struct *vma);
/* Whether the entry still needs a name. */
bool rs_phys_file_unnamed(const struct rs_phys_files *t, const struct rs_phys_file *file);

#endif /* RMAPSCOPE_PHYS_FILES_H */
