/* RS_HAVE_SHMEM_FILE_SETUP_VMA_FLAGS: shmem_file_setup() takes a vma_flags_t (7.x) rather than
 * an unsigned long of VM_ flags. */
#include <linux/shmem_fs.h>

struct file *rs_probe(void)
{
	return shmem_file_setup("rs", PAGE_SIZE, EMPTY_VMA_FLAGS);
}
