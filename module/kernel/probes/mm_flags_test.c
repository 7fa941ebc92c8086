/* RS_HAVE_MM_FLAGS_TEST: mm flags behind mm_flags_test() (a bitmap since 6.18), not mm->flags. */
#include <linux/mm.h>

bool rs_probe(const struct mm_struct *mm)
{
	return mm_flags_test(MMF_MULTIPROCESS, mm);
}
