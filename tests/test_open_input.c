/*
 * test_open_input.c - hm_open_input: an input is opened once, never through
 * a link, never blocking on a FIFO or a device, and only a regular file is
 * accepted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "himama/util.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/hm-open-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static char *at(const char *name)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static void test_open_input_regular_file(void **state)
{
    (void)state;
    FILE *fp = fopen(at("a.csv"), "w");
    assert_non_null(fp);
    fputs("x\n", fp);
    fclose(fp);
    int fd;
    char why[128] = "";
    assert_int_equal(hm_open_input(at("a.csv"), &fd, why, sizeof why), HM_OK);
    assert_true(fd >= 0);
    char buf[4];
    assert_int_equal(read(fd, buf, sizeof buf), 2);   /* blocking reads work */
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    close(fd);
}

static void test_open_input_refuses_link(void **state)
{
    (void)state;
    FILE *fp = fopen(at("target"), "w");
    assert_non_null(fp);
    fclose(fp);
    char target[128];
    snprintf(target, sizeof target, "%s", at("target"));
    assert_int_equal(symlink(target, at("link.csv")), 0);
    int fd = 0;
    char why[128] = "";
    assert_int_equal(hm_open_input(at("link.csv"), &fd, why, sizeof why), HM_EIO);
    assert_int_equal(fd, -1);
    assert_non_null(strstr(why, "symbolic link"));
}

static void test_open_input_refuses_fifo_without_blocking(void **state)
{
    (void)state;
    assert_int_equal(mkfifo(at("pipe.csv"), 0600), 0);
    int fd = 0;
    char why[128] = "";
    /* With no writer, a blocking open would hang here forever. */
    assert_int_equal(hm_open_input(at("pipe.csv"), &fd, why, sizeof why), HM_EIO);
    assert_int_equal(fd, -1);
    assert_non_null(strstr(why, "not a regular file"));
}

static void test_open_input_refuses_device_and_folder(void **state)
{
    (void)state;
    int fd = 0;
    char why[128] = "";
    assert_int_equal(hm_open_input("/dev/zero", &fd, why, sizeof why), HM_EIO);
    assert_int_equal(fd, -1);
    assert_int_equal(hm_open_input(dir, &fd, why, sizeof why), HM_EIO);
    assert_non_null(strstr(why, "folder"));
    assert_int_equal(hm_open_input(at("missing.csv"), &fd, why, sizeof why), HM_EIO);
    assert_non_null(strstr(why, "cannot open"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_input_regular_file),
        cmocka_unit_test(test_open_input_refuses_link),
        cmocka_unit_test(test_open_input_refuses_fifo_without_blocking),
        cmocka_unit_test(test_open_input_refuses_device_and_folder),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
