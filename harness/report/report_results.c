/*++
 * NAME
 *	report_results 3
 * SUMMARY
 *	a run's results: every file of it, written whole or not at all
 * DESCRIPTION
 *	See report_results.h. Text arrives sanitized (run_cell_sanitize);
 *	check_cells() refuses a cell whose text is not, rather than write a
 *	file a reader cannot parse. Each format has its module:
 *	report_json, report_junit, report_tap, report_html (and
 *	report_console for the terminal).
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_cell.h"
#include "report_file.h"
#include "report_html.h"
#include "report_json.h"
#include "report_junit.h"
#include "report_results.h"
#include "report_tap.h"
#include "rmtree.h"
#include "smtp_sanitize.h"

/* write_cell_text - one of a cell's texts as a file, checked */

static int write_cell_text(const char *dir, const char *name, const struct run_cell *c,
                           enum run_text which, struct smtp_error *err)
{
    char *text = report_cell_text(c, which, err);
    int rc;

    if (text == NULL)
        return -1;
    rc = report_file_write(dir, name, text, err);
    free(text);
    return rc;
}

/* check_cells - refuse text that did not go through run_cell_sanitize */

static int check_cells(const struct run_cell *cells, size_t n, const struct report_meta *meta,
                       struct smtp_error *err)
{
    size_t i;

    if (!report_cell_clean(meta->run_id) || !report_cell_clean(meta->started) ||
        !report_cell_clean(meta->relaylab_version))
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "the run's metadata is not clean text");
    for (i = 0; i < n; i++) {
        const struct run_cell *c = &cells[i];
        const char *texts[] = {c->scenario->id, report_cell_variant(c),
                               c->title,        c->fail_file,
                               c->fail_step,    c->expected,
                               c->actual,       c->message,
                               c->decide_step,  c->decide_expected,
                               c->decide_reply};
        const char *what = NULL;
        size_t k;

        for (k = 0; k < sizeof(texts) / sizeof(texts[0]) && !what; k++)
            if (strchr(texts[k], '\n') || !report_cell_clean(texts[k]))
                what = "a text field";
        if (what) {
            char name[300];
            char clean[SMTP_SANITIZE_SIZE(300)];

            run_cell_name(c, name, sizeof(name));
            smtp_sanitize_str(name, clean, sizeof(clean));
            return smtp_error_set(err, SMTP_ERR_INTERNAL, 0,
                                  "cell %s: %s did not go through run_cell_sanitize", clean, what);
        }
    }
    return 0;
}

int report_write_run(const char *dir, const struct run_cell *cells, size_t n,
                     const struct report_meta *meta, struct smtp_error *err)
{
    char path[1024];
    size_t i;

    if (check_cells(cells, n, meta, err) < 0)
        return -1;
    /* The page first: without its templates, nothing is written. */
    if (report_html_write(dir, cells, n, meta, err) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/cells", dir);
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot make %s: %s", path,
                              strerror(errno));
    }
    for (i = 0; i < n; i++) {
        char name[300];

        report_cell_dir(&cells[i], name, sizeof(name));
        snprintf(path, sizeof(path), "%s/cells/%s", dir, name);
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot make %s: %s", path,
                                  strerror(errno));
        if (write_cell_text(path, "transcript.txt", &cells[i], RUN_TEXT_TRANSCRIPT, err) < 0 ||
            write_cell_text(path, "mta.log", &cells[i], RUN_TEXT_MTA_LOG, err) < 0 ||
            write_cell_text(path, mta_kind_config_name(cells[i].mta), &cells[i],
                            RUN_TEXT_MTA_CONFIG, err) < 0 ||
            (cells[i].mta == MTA_POSTFIX &&
             write_cell_text(path, "master.cf", &cells[i], RUN_TEXT_MTA_MASTER, err) < 0) ||
            (cells[i].mta == MTA_EXIM &&
             write_cell_text(path, "acl_rcpt.conf", &cells[i], RUN_TEXT_MTA_ACL, err) < 0))
            return -1;
    }
    if (report_json_write(dir, cells, n, meta, err) < 0 ||
        report_junit_write(dir, cells, n, meta, err) < 0 ||
        report_tap_write(dir, cells, n, err) < 0)
        return -1;
    return 0;
}

int report_results_dir(const char *results_dir, struct smtp_error *err)
{
    struct stat st;

    if (mkdir(results_dir, 0755) < 0 && errno != EEXIST)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot make %s: %s", results_dir,
                              strerror(errno));
    /* A checkout may hold "results" as a link to anywhere: relaylab writes as root. */
    if (lstat(results_dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOTDIR,
                              "%s is not a directory (a symbolic link is not followed)",
                              results_dir);
    return 0;
}

/* report_publish_run - write into results_dir/.tmp.RUN_ID, rename to results_dir/RUN_ID */

int report_publish_run(const char *results_dir, const struct run_cell *cells, size_t n,
                       const struct report_meta *meta, char *final, size_t size,
                       struct smtp_error *err)
{
    char stage[1100];

    if (report_results_dir(results_dir, err) < 0)
        return -1;
    if ((size_t)snprintf(final, size, "%s/%s", results_dir, meta->run_id) >= size ||
        (size_t)snprintf(stage, sizeof(stage), "%s/.tmp.%s", results_dir, meta->run_id) >=
            sizeof(stage))
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENAMETOOLONG, "path too long: %s/%s",
                              results_dir, meta->run_id);
    if (mkdir(stage, 0755) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot make %s: %s", stage,
                              strerror(errno));
    /* Whole or nothing: a run that cannot be written leaves no half of it behind. */
    if (report_write_run(stage, cells, n, meta, err) < 0 ||
        (rename(stage, final) < 0 &&
         smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot rename %s: %s", stage,
                        strerror(errno)) < 0)) {
        rmtree(stage);
        return -1;
    }
    return 0;
}
