// SPDX-License-Identifier: GPL-2.0
/*
 * Symbol lookup through kprobes: kallsyms_lookup_name is not exported, but register_kprobe()
 * resolves a name for us. The probe is registered disabled, so no kernel text is ever patched,
 * and is unregistered at once.
 *
 * On IBT kernels the kprobe address is past the ENDBR (arch_adjust_kprobe_addr), so the address is
 * mapped back to its symbol with sprint_symbol() and the offset it reports is subtracted: the
 * kernel's own symbol table says where the function starts.
 */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/string.h>

#include "symbols.h"

struct rs_kernel_syms rs_syms;

struct rs_symbol_desc {
	const char *name;
	size_t slot;	/* offset of the pointer in struct rs_kernel_syms */
	bool required;
	enum rs_symbol_use use;
};

static const struct rs_symbol_desc rs_symbol_descs[] = {
#define RS_DESCRIBE(sym, req, use) [RS_SYM_##sym] = { #sym, offsetof(struct rs_kernel_syms, sym), req, use },
	RS_KERNEL_SYMBOLS(RS_DESCRIBE)
#undef RS_DESCRIBE
};

static void **rs_slot(const struct rs_symbol_desc *d)
{
	return (void **)((char *)&rs_syms + d->slot);
}

/* Turns "name+0xoff/0xsize [mod]" into the function entry; 0 if it is not the named symbol. */
static unsigned long rs_entry_of(const char *name, unsigned long addr)
{
	char buf[KSYM_SYMBOL_LEN];
	size_t len = strlen(name);
	unsigned long off;
	char *plus, *slash;

	sprint_symbol(buf, addr);
	if (strncmp(buf, name, len) != 0 || buf[len] != '+')
		return 0;
	plus = buf + len + 1;
	slash = strchr(plus, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	if (kstrtoul(plus, 16, &off) || off > addr)
		return 0;
	return addr - off;
}

int rs_symbol_lookup(const char *name, unsigned long *entry)
{
	struct kprobe kp = {
		.symbol_name = name,
		.flags = KPROBE_FLAG_DISABLED,
	};
	unsigned long addr;
	int ret;

	ret = register_kprobe(&kp);
	if (ret < 0)
		return ret;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);

	*entry = rs_entry_of(name, addr);
	return *entry ? 0 : -ENOENT;
}

int rs_symbols_resolve(void)
{
	int result = 0;
	size_t i;

	BUILD_BUG_ON(ARRAY_SIZE(rs_symbol_descs) != RS_NR_SYMBOLS);
	BUILD_BUG_ON(sizeof(struct rs_kernel_syms) != RS_NR_SYMBOLS * sizeof(void *));
	for (i = 0; i < ARRAY_SIZE(rs_symbol_descs); i++) {
		const struct rs_symbol_desc *d = &rs_symbol_descs[i];
		unsigned long entry = 0;
		int ret = rs_symbol_lookup(d->name, &entry);

		if (ret == 0) {
			*rs_slot(d) = (void *)entry;
			continue;
		}
		*rs_slot(d) = NULL;
		if (ret == -EOPNOTSUPP) {
			pr_err("cannot look up kernel symbols: this kernel has no kprobes (CONFIG_KPROBES=n)\n");
			return -EOPNOTSUPP;
		}
		if (d->required) {
			pr_err("required kernel symbol %s not found (%d)\n", d->name, ret);
			result = -ENOENT;
		} else {
			pr_info("optional kernel symbol %s not found (%d)\n", d->name, ret);
		}
	}
	return result;
}

void *rs_symbol_entry(enum rs_symbol_id id)
{
	return *rs_slot(&rs_symbol_descs[id]);
}

const char *rs_symbol_name(enum rs_symbol_id id)
{
	return rs_symbol_descs[id].name;
}

enum rs_symbol_use rs_symbol_use(enum rs_symbol_id id)
{
	return rs_symbol_descs[id].use;
}

bool rs_symbol_required(enum rs_symbol_id id)
{
	return rs_symbol_descs[id].required;
}
