// SPDX-License-Identifier: GPL-2.0
/* phys's table of files (phys_files.h). */
#include <linux/dcache.h>
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "alloc.h"
#include "phys_files.h"
#include "scratch.h"

#define RS_PHYS_FILE_HASH_BITS 11

struct rs_phys_file_slot {
	struct address_space *mapping;	/* identity only, never followed */
	unsigned int file;		/* index into res->files, or UINT_MAX: past the listed ones */
};

int rs_phys_files_init(struct rs_phys_files *t, struct rs_phys_result *res)
{
	t->res = res;
	t->hash = rs_scratch_zalloc(1U << RS_PHYS_FILE_HASH_BITS, sizeof(*t->hash));
	t->named = rs_scratch_zalloc(res->files_cap ? res->files_cap : 1, sizeof(*t->named));
	t->buf = kmalloc(PATH_MAX, RS_GFP);
	return t->hash && t->named && t->buf ? 0 : -ENOMEM;
}

void rs_phys_files_free(struct rs_phys_files *t)
{
	rs_scratch_free(t->hash);
	rs_scratch_free(t->named);
	kfree(t->buf);
	t->hash = NULL;
	t->named = NULL;
	t->buf = NULL;
}

struct rs_phys_file *rs_phys_file(struct rs_phys_files *t, struct address_space *mapping)
{
	unsigned int mask = (1U << RS_PHYS_FILE_HASH_BITS) - 1, h;
	struct rs_phys_result *res = t->res;
	struct rs_phys_file_slot *b;

	for (h = hash_ptr(mapping, RS_PHYS_FILE_HASH_BITS);; h = (h + 1) & mask) {
		b = &t->hash[h];
		if (b->mapping == mapping)
			return b->file == UINT_MAX ? NULL : &res->files[b->file];
		if (!b->mapping)
			break;
	}
	if (t->hashed >= (mask + 1) / 4 * 3) {
		res->files_dropped++;	/* past what the table tells apart: counted per folio */
		return NULL;
	}
	b->mapping = mapping;
	t->hashed++;
	if (res->nr_files == res->files_cap) {
		b->file = UINT_MAX;	/* counted once, not listed */
		res->files_dropped++;
		return NULL;
	}
	b->file = res->nr_files++;
	memset(&res->files[b->file], 0, sizeof(res->files[b->file]));
	t->named[b->file] = false;
	return &res->files[b->file];
}

bool rs_phys_file_unnamed(const struct rs_phys_files *t, const struct rs_phys_file *file)
{
	return !t->named[file - t->res->files];
}

void rs_phys_file_name(struct rs_phys_files *t, struct rs_phys_file *file, struct vm_area_struct *vma)
{
	char *path;

	if (t->named[file - t->res->files] || !vma->vm_file)
		return;
	t->named[file - t->res->files] = true;
	path = d_path(&vma->vm_file->f_path, t->buf, PATH_MAX);
	if (!IS_ERR(path))
		strscpy(file->path, path, sizeof(file->path));
}
