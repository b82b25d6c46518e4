/*++
 * NAME
 *	driver 1
 * SUMMARY
 *	one main() for every fuzz target: corpus replay and AFL++
 * SYNOPSIS
 *	fuzz_TARGET FILE|DIR...
 *	afl-fuzz -i fuzz/corpus/TARGET -o out -- fuzz_TARGET
 * DESCRIPTION
 *	With arguments, feeds every file (directories: every file in them)
 *	to LLVMFuzzerTestOneInput once: the checked-in corpus runs as a
 *	ctest under ASan+UBSan. Without arguments, reads inputs from
 *	stdin, in AFL++'s persistent mode when built with afl-clang-fast.
 *	libFuzzer builds use libFuzzer's own main instead.
 *
 *	Each input is handed over in a heap buffer of exactly its size
 *	(as libFuzzer does): reading one byte past it is a heap overflow
 *	that ASan reports, where a large static buffer would hide it.
 *--*/
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DRIVER_INPUT_MAX (1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char buf[DRIVER_INPUT_MAX];

/* run_exact - one input, copied to a heap buffer of exactly its size */

static int run_exact(const unsigned char *data, size_t n)
{
    /* malloc(0) may return NULL: a zero-size input still gets a pointer. */
    unsigned char *exact = malloc(n ? n : 1);

    if (exact == NULL) {
        perror("malloc");
        return -1;
    }
    memcpy(exact, data, n);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    size_t n;

    if (fp == NULL) {
        perror(path);
        return -1;
    }
    n = fread(buf, 1, sizeof(buf), fp);
    fclose(fp);
    return run_exact(buf, n);
}

static int run_path(const char *path, int *count)
{
    struct stat st;
    DIR *d;
    struct dirent *e;

    if (stat(path, &st) < 0) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return run_file(path);
    }
    if ((d = opendir(path)) == NULL) {
        perror(path);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        char full[4096];

        if (e->d_name[0] == '.')
            continue;
        snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
        if (run_path(full, count) < 0) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    return 0;
}

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#endif

int main(int argc, char **argv)
{
    int count = 0;
    int i;

    if (argc > 1) {
        for (i = 1; i < argc; i++)
            if (run_path(argv[i], &count) < 0)
                return 1;
        fprintf(stderr, "%s: %d inputs replayed\n", argv[0], count);
        return count > 0 ? 0 : 1;
    }
#ifdef __AFL_FUZZ_TESTCASE_LEN
    __AFL_INIT();
    {
        unsigned char *data = __AFL_FUZZ_TESTCASE_BUF;

        while (__AFL_LOOP(100000))
            LLVMFuzzerTestOneInput(data, (size_t)__AFL_FUZZ_TESTCASE_LEN);
    }
#else
    {
        size_t n = fread(buf, 1, sizeof(buf), stdin);

        if (run_exact(buf, n) < 0)
            return 1;
    }
#endif
    return 0;
}
