/* RS_HAVE_GET_DEV_PAGEMAP_PFN_ONLY: get_dev_pagemap(pfn), without the pgmap hint argument. */
#include <linux/memremap.h>

struct dev_pagemap *rs_probe(unsigned long pfn)
{
	return get_dev_pagemap(pfn);
}
