/*
 * test_config.c - himama.conf: parsing, unknown keys with file and line,
 * precedence (environment over file over defaults), public_mode, and
 * loading a file that is missing or given by HIMAMA_CONFIG.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "himama/config.h"

static void test_config_parse_values(void **state)
{
    (void)state;
    hm_config c;
    char err[256] = "";
    hm_config_init(&c);
    assert_int_equal(hm_config_parse(&c, "t.conf",
        "# comment\n\n  database = /var/lib/himama/h.db  \n"
        "organisation = \"海门区妇联 \"\r\nlanguage=en\n\tout =\treports\n"
        "  # indented comment\nquiet = yes\n", err, sizeof err), HM_OK);
    unsetenv("HIMAMA_DB");
    unsetenv("HIMAMA_ORG");
    unsetenv("HIMAMA_LANG");
    unsetenv("HIMAMA_QUIET");
    assert_string_equal(hm_config_get(&c, "database", "HIMAMA_DB", "himama.db"),
                        "/var/lib/himama/h.db");
    assert_string_equal(hm_config_get(&c, "organisation", "HIMAMA_ORG", ""), "海门区妇联 ");
    assert_string_equal(hm_config_get(&c, "language", "HIMAMA_LANG", "zh"), "en");
    assert_string_equal(hm_config_get(&c, "out", NULL, "out"), "reports");
    assert_string_equal(hm_config_get(&c, "inbox", NULL, "inbox"), "inbox");
    assert_true(hm_config_bool(&c, "quiet", "HIMAMA_QUIET"));
    hm_config_release(&c);
}

static void test_config_later_line_wins(void **state)
{
    (void)state;
    hm_config c;
    char err[256];
    hm_config_init(&c);
    assert_int_equal(hm_config_parse(&c, "t.conf", "log = a.log\nlog = b.log\n", err,
                                     sizeof err), HM_OK);
    assert_string_equal(hm_config_get(&c, "log", NULL, "x"), "b.log");
    hm_config_release(&c);
}

static void test_config_unknown_key(void **state)
{
    (void)state;
    hm_config c;
    char err[256] = "";
    hm_config_init(&c);
    assert_int_equal(hm_config_parse(&c, "/etc/himama.conf",
        "database = h.db\n# fine\norganization = typo\n", err, sizeof err), HM_EUSAGE);
    assert_string_equal(err, "/etc/himama.conf:3: unknown key 'organization'");
    hm_config_release(&c);
}

static void test_config_missing_equals(void **state)
{
    (void)state;
    hm_config c;
    char err[256] = "";
    hm_config_init(&c);
    assert_int_equal(hm_config_parse(&c, "h.conf", "\n\ndatabase h.db\n", err, sizeof err),
                     HM_EUSAGE);
    assert_string_equal(err, "h.conf:3: expected 'key = value'");
    hm_config_release(&c);
}

static void test_config_environment_wins(void **state)
{
    (void)state;
    hm_config c;
    char err[256];
    hm_config_init(&c);
    assert_int_equal(hm_config_parse(&c, "t", "database = file.db\nfont = f.ttc\n", err,
                                     sizeof err), HM_OK);
    setenv("HIMAMA_DB", "env.db", 1);
    assert_string_equal(hm_config_get(&c, "database", "HIMAMA_DB", "def.db"), "env.db");
    setenv("HIMAMA_DB", "", 1);   /* empty: as if unset */
    assert_string_equal(hm_config_get(&c, "database", "HIMAMA_DB", "def.db"), "file.db");
    unsetenv("HIMAMA_DB");
    assert_string_equal(hm_config_get(&c, "database", "HIMAMA_DB", "def.db"), "file.db");
    assert_string_equal(hm_config_get(&c, "log", "HIMAMA_LOG", "himama.log"), "himama.log");
    hm_config_release(&c);
}

static void test_config_public_mode(void **state)
{
    (void)state;
    unsigned m = 0;
    assert_int_equal(hm_config_mode("0640", &m), HM_OK);
    assert_int_equal(m, 0640);
    assert_int_equal(hm_config_mode("644", &m), HM_OK);
    assert_int_equal(m, 0644);
    assert_int_equal(hm_config_mode("0600", &m), HM_OK);
    assert_int_equal(m, 0600);
    const char *bad[] = { "", "64", "0755", "0644x", "0844", "06440", "0444", "0200",
                          "4644", "rw-r--r--", "-644" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(hm_config_mode(bad[i], &m), HM_EUSAGE);
}

static void test_config_public_mode_is_a_key(void **state)
{
    (void)state;
    hm_config c;
    char err[256];
    hm_config_init(&c);
    assert_int_equal(hm_config_parse(&c, "t", "public_mode = 0644\ninbox = in\nlog = l\n"
                                     "font = f\ndatadir = d\n", err, sizeof err), HM_OK);
    assert_string_equal(hm_config_get(&c, "public_mode", NULL, "0640"), "0644");
    hm_config_release(&c);
}

static void test_config_file_timeout(void **state)
{
    (void)state;
    long secs = -1;
    hm_config c;
    char err[256];
    assert_int_equal(hm_config_duration("600", &secs), HM_OK);
    assert_int_equal(secs, 600);
    assert_int_equal(hm_config_duration("90s", &secs), HM_OK);
    assert_int_equal(secs, 90);
    assert_int_equal(hm_config_duration("10m", &secs), HM_OK);
    assert_int_equal(secs, 600);
    assert_int_equal(hm_config_duration("2h", &secs), HM_OK);
    assert_int_equal(secs, 7200);
    assert_int_equal(hm_config_duration("0", &secs), HM_OK);
    assert_int_equal(secs, 0);
    const char *bad[] = { "", "m", "-1", "10 m", "10min", "1.5h", "10mm", "99999999999",
                          "300000h" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(hm_config_duration(bad[i], &secs), HM_EUSAGE);
    /* A key of the file, like the others. */
    hm_config_init(&c);
    assert_int_equal(hm_config_parse(&c, "t", "file_timeout = 5m\n", err, sizeof err), HM_OK);
    assert_string_equal(hm_config_get(&c, "file_timeout", NULL, "10m"), "5m");
    hm_config_release(&c);
}

static void test_config_load_files(void **state)
{
    (void)state;
    hm_config c;
    char err[512] = "", dir[] = "/tmp/hm-config-XXXXXX", path[600];
    assert_non_null(mkdtemp(dir));
    /* No path and no himama.conf in the current folder: defaults, no error. */
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    unsetenv("HIMAMA_CONFIG");
    hm_config_init(&c);
    assert_int_equal(hm_config_load(&c, NULL, err, sizeof err), HM_OK);
    assert_int_equal(c.n, 0);
    /* A path that does not exist is an error when named. */
    assert_int_equal(hm_config_load(&c, "missing.conf", err, sizeof err), HM_EUSAGE);
    assert_non_null(strstr(err, "missing.conf"));
    setenv("HIMAMA_CONFIG", "missing.conf", 1);
    assert_int_equal(hm_config_load(&c, NULL, err, sizeof err), HM_EUSAGE);
    /* HIMAMA_CONFIG names a file; its errors name it and the line. */
    snprintf(path, sizeof path, "%s/other.conf", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("language = en\nbogus = 1\n", fp);
    assert_int_equal(fclose(fp), 0);
    setenv("HIMAMA_CONFIG", path, 1);
    assert_int_equal(hm_config_load(&c, NULL, err, sizeof err), HM_EUSAGE);
    char want[700];
    snprintf(want, sizeof want, "%s:2: unknown key 'bogus'", path);
    assert_string_equal(err, want);
    unsetenv("HIMAMA_CONFIG");
    hm_config_release(&c);
    /* himama.conf in the current folder is read by default. */
    fp = fopen("himama.conf", "w");
    assert_non_null(fp);
    fputs("organisation = 区妇联\n", fp);
    assert_int_equal(fclose(fp), 0);
    hm_config_init(&c);
    assert_int_equal(hm_config_load(&c, NULL, err, sizeof err), HM_OK);
    assert_string_equal(hm_config_get(&c, "organisation", NULL, ""), "区妇联");
    hm_config_release(&c);
    unlink("himama.conf");
    unlink(path);
    assert_int_equal(chdir(cwd), 0);
    rmdir(dir);
}

static void test_config_datadir_from_environment(void **state)
{
    (void)state;
    hm_config c;
    char err[64];
    hm_config_init(&c);
    assert_int_equal(hm_config_parse(&c, "t", "datadir = /from/file\n", err, sizeof err), HM_OK);
    setenv("HIMAMA_DATADIR", "/from/env", 1);
    assert_string_equal(hm_config_datadir(&c, "himama"), "/from/env");
    unsetenv("HIMAMA_DATADIR");
    assert_string_equal(hm_config_datadir(&c, "himama"), "/from/file");
    hm_config_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_parse_values),
        cmocka_unit_test(test_config_later_line_wins),
        cmocka_unit_test(test_config_unknown_key),
        cmocka_unit_test(test_config_missing_equals),
        cmocka_unit_test(test_config_environment_wins),
        cmocka_unit_test(test_config_public_mode),
        cmocka_unit_test(test_config_public_mode_is_a_key),
        cmocka_unit_test(test_config_file_timeout),
        cmocka_unit_test(test_config_load_files),
        cmocka_unit_test(test_config_datadir_from_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
