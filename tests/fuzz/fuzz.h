/*
 * fuzz.h - what the fuzzing harnesses share: the libFuzzer entry point and
 * a check that aborts with a message, so that a broken invariant is a
 * crash both under libFuzzer and in the corpus replay of `make test`.
 */
#ifndef HIMAMA_FUZZ_H
#define HIMAMA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Run one input; returns 0 (libFuzzer's convention). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with file, line and the failed condition when cond is false. */
#define FUZZ_CHECK(cond)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__,     \
                    __LINE__, #cond);                                      \
            abort();                                                       \
        }                                                                  \
    } while (0)

#endif
