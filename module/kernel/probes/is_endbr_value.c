/* RS_HAVE_IS_ENDBR_VALUE: x86's __is_endbr(u32), the pure test on an instruction word, once
 * is_endbr() itself started taking a pointer and reading the text (7.x). */
#include <asm/ibt.h>

bool rs_probe(u32 insn)
{
	return __is_endbr(insn);
}
