/* RS_HAVE_MODULE_IMPORT_NS_TOKEN: MODULE_IMPORT_NS() takes a bare token it stringifies (until
 * 6.12); since 6.13 it takes a string literal, and a bare token no longer compiles. */
#include <linux/module.h>

MODULE_IMPORT_NS(RS_PROBE_NAMESPACE);
