/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A parsed ctl command (grammar in docs/debugfs.md). Plain C so module/kernel/ can read it.
 */
#ifndef RMAPSCOPE_CORE_COMMAND_H
#define RMAPSCOPE_CORE_COMMAND_H

#ifdef __cplusplus
extern "C" {
#endif

#include "../../include/rmapscope/abi.h"

/* One per RMAPSCOPE_VERBS entry, in its order, from 1 (0: none). */
enum rs_verb {
	RS_VERB_NONE = 0,
#define RS_VERB_ID(id, name) RS_VERB_##id,
	RMAPSCOPE_VERBS(RS_VERB_ID)
#undef RS_VERB_ID
	RS_NR_VERBS_PLUS_ONE
};
enum rs_format { RS_FORMAT_TEXT = 0, RS_FORMAT_JSON = 1 };
/* How share and phys find the mappings: one comparison per run of pages, or one rmap walk per folio. */
enum rs_method { RS_METHOD_BULK = 0, RS_METHOD_WALK = 1 };

struct rs_command {
	int verb;		/* enum rs_verb */
	int by_pfn;		/* 1: pfn names the page; 0: pid + addr do */
	int pid;		/* 1 .. RMAPSCOPE_PID_MAX */
	unsigned long addr;
	unsigned long pfn;
	int format;		/* enum rs_format */
	unsigned int max;	/* 1 .. RMAPSCOPE_MAX_MAPS */
	int all_owners;		/* owners=all: every process of each mm, not only its owner */
	/* referenced pid= start= end= [detail=1]: a range scan instead of one target */
	int range;
	unsigned long start, end;	/* [start, end), start < end, at most RMAPSCOPE_RANGE_MAX_BYTES */
	int detail;		/* one line per page */
	/* share pid= [start= end=]: start = end = 0 for the whole address space */
	/* phys [start_pfn= end_pfn=] [referenced=1]: end_pfn 0 for the end of RAM */
	unsigned long start_pfn, end_pfn;
	int referenced;
	/* tree ... family=1: an anon folio's whole anon_vma family, every AVC of every VMA */
	int family;
	/* share, phys: method=bulk|walk (enum rs_method) */
	int method;
	/* phys young=0: young entries not read (a page every candidate maps needs no entry read) */
	int no_young;
	/* phys sets=1: the sets of processes that map the same pages, and every process listed */
	int sets;
};

/*
 * Parses one command (len bytes, not NUL-terminated; one trailing '\n' allowed). Returns 0, or
 * -RS_EINVAL with a message naming the offending token in err (errcap bytes, NUL-terminated).
 */
int rs_core_parse_command(const char *line, __SIZE_TYPE__ len, struct rs_command *cmd,
			  char *err, __SIZE_TYPE__ errcap);

#ifdef __cplusplus
}
#endif

#endif /* RMAPSCOPE_CORE_COMMAND_H */
