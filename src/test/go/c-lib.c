/* A plain C shared object: an ELF file with no Go in it, needing the C library. */
#include <stdio.h>

int kpm_c_answer(char *out, unsigned long size) { return snprintf(out, size, "%d", 42); }
