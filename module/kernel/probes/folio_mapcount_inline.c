/* RS_HAVE_FOLIO_MAPCOUNT_INLINE: folio_mapcount() is a static inline of linux/mm.h rather than
 * the unexported function of mm/util.c it was in 6.1. A static redeclaration compiles only after
 * a static one ("static declaration follows non-static" otherwise). */
#include <linux/mm.h>

static typeof(folio_mapcount) folio_mapcount;
